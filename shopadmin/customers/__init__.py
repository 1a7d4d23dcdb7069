"""Customers: shared accounts, address book, activities, alerts, search."""
