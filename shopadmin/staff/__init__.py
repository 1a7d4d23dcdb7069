"""Staff users, their memberships (role per shop), sign-in and API tokens."""
