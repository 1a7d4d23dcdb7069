"""Edit leases: who has an order's edit screen open right now.

A lease is advice, not a lock: the grid shows who is editing, the edit screen warns a
second CSR, and the quote-expiry job leaves a quote alone while it is being edited.
Saving is still guarded by the order's version (a stale save is refused, never lost).

Taken when a CSR opens the edit screen, renewed when they open it again, released on
save or cancel, and gone by itself after ``LEASE_SECONDS``. In Redis when
``SHOPADMIN_REDIS_URL`` is set (shared by every process), else in this process (the
embedded single-process mode), like ``core.locks``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from shopadmin.core.db import utcnow
from shopadmin.core.jobs import redis_connection

LEASE_SECONDS = 15 * 60
_LOCAL_KEY = "shopadmin.edit_leases"
_guard = threading.Lock()

# Delete the key only while it is still the caller's lease.
_RELEASE = """
local value = redis.call('GET', KEYS[1])
if value and cjson.decode(value)['user_id'] == tonumber(ARGV[1]) then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass(frozen=True)
class Lease:
    order_id: int
    user_id: int
    name: str
    until: datetime

    def as_json(self) -> dict[str, object]:
        return {"user_id": self.user_id, "name": self.name, "until": self.until.isoformat()}


def _key(order_id: int) -> str:
    return f"shopadmin:edit-lease:{order_id}"


def _decode(order_id: int, raw: bytes | str | None) -> Lease | None:
    if not raw:
        return None
    data = json.loads(raw)
    return Lease(order_id, int(data["user_id"]), str(data["name"]), datetime.fromisoformat(data["until"]))


def _local() -> dict[int, Lease]:
    return current_app.extensions.setdefault(_LOCAL_KEY, {})  # type: ignore[no-any-return]


def take(order_id: int, user_id: int, name: str, *, now: datetime | None = None,
         seconds: int = LEASE_SECONDS) -> Lease:
    """Take or renew the lease for ``user_id``; when someone else holds it, theirs is returned."""
    now = now or utcnow()
    mine = Lease(order_id, user_id, name, now + timedelta(seconds=seconds))
    conn = redis_connection()
    if conn is not None:
        value = json.dumps(mine.as_json())
        if conn.set(_key(order_id), value, nx=True, ex=seconds):
            return mine
        held = _decode(order_id, conn.get(_key(order_id)))  # type: ignore[arg-type]
        if held is None or held.user_id == user_id:
            conn.set(_key(order_id), value, ex=seconds)
            return mine
        return held
    with _guard:
        leases = _local()
        held = leases.get(order_id)
        if held is not None and held.until > now and held.user_id != user_id:
            return held
        leases[order_id] = mine
        return mine


def release(order_id: int, user_id: int) -> None:
    """Give the lease back (only the holder's own)."""
    conn = redis_connection()
    if conn is not None:
        conn.eval(_RELEASE, 1, _key(order_id), user_id)  # type: ignore[no-untyped-call]
        return
    with _guard:
        leases = _local()
        held = leases.get(order_id)
        if held is not None and held.user_id == user_id:
            del leases[order_id]


def current(order_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, Lease]:
    """The live leases of these orders (one round trip, no SQL)."""
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    conn = redis_connection()
    if conn is not None:
        values = conn.mget([_key(order_id) for order_id in ids])
        found = (_decode(order_id, raw) for order_id, raw in zip(ids, values, strict=True))  # type: ignore[arg-type]
        return {lease.order_id: lease for lease in found if lease is not None}
    now = now or utcnow()
    with _guard:
        leases = _local()
        for order_id in [oid for oid, lease in leases.items() if lease.until <= now]:
            del leases[order_id]
        return {order_id: leases[order_id] for order_id in ids if order_id in leases}


def clear_local() -> None:
    """Forget this process's leases (tests: ids start again after each truncate)."""
    with _guard:
        _local().clear()
