"""Periodic order work: quote expiry (``expiry.expire_quotes``)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.core.jobs import register_periodic
from shopadmin.orders import expiry

EXPIRE_EVERY = timedelta(minutes=15)


def expire_quotes() -> int:
    """Cancel quotes past their valid-until date; returns how many. Catches up by itself."""
    access = system_access("quote-expiry")
    with unit_of_work(access):
        report = expiry.expire_quotes(access)
    return len(report.expired)


def register_periodic_jobs(app: Flask) -> None:
    register_periodic(app, expire_quotes, every=EXPIRE_EVERY)
