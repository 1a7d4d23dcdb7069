"""Named locks shared by every process: Redis when configured, else in-process.

Without Redis the app runs as a single process (the embedded default), so a
``threading`` lock is enough there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l

from shopadmin.core.errors import Conflict
from shopadmin.core.jobs import redis_connection

_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


@contextmanager
def named_lock(name: str, *, timeout: float = 30, wait: float = 5) -> Iterator[None]:
    """Hold the lock ``name`` for the block; ``Conflict`` when it stays taken past ``wait``."""
    conn = redis_connection()
    if conn is not None:
        lock = conn.lock(f"shopadmin:lock:{name}", timeout=timeout, blocking_timeout=wait)
        if not lock.acquire():
            raise Conflict(_l("Someone else is working on this right now; try again."), code="locked")
        try:
            yield
        finally:
            lock.release()
        return
    with _local_guard:
        local = _local_locks.setdefault(name, threading.Lock())
    if not local.acquire(timeout=wait):
        raise Conflict(_l("Someone else is working on this right now; try again."), code="locked")
    try:
        yield
    finally:
        local.release()
