"""Notifications: the outbox, templates, delivery by SMTP on RQ, reminders and escalation."""
