"""The notifications' clock: real time, or a fixed moment tests and benchmarks set."""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at ``moment`` (aware), or let it run again with ``None``."""
    global _frozen
    _frozen = moment
