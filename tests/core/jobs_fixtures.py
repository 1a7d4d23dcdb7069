"""Tasks used by the job tests (jobs are named by import path, so they live in a module)."""

from __future__ import annotations

from shopadmin.core import audit
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work


def record_marker(label: str) -> None:
    """A job with a visible effect: an audit entry."""
    access = system_access("tests")
    with unit_of_work(access):
        audit.record(access, "test.job", label, shop_id=None, label=label)
