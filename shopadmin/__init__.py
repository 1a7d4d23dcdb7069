"""shopadmin: a multi-tenant admin for B2C and B2B shops."""

from shopadmin.app import create_app

__all__ = ["create_app"]
