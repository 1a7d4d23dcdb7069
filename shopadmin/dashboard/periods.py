"""Periods and time buckets, the same in SQL (PostgreSQL and SQLite) and in Python.

Buckets are UTC calendar days, ISO weeks (starting Monday) or months, labelled by their
first day (``2026-11-16``). The chart axis is built in Python so empty buckets show as 0.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from shopadmin.extensions import db


class Granularity(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


GRANULARITY_LABELS = {Granularity.DAY: _l("per day"), Granularity.WEEK: _l("per week"),
                      Granularity.MONTH: _l("per month")}
# Named ranges offered by the screen: days back from today, and the natural granularity.
RANGES: dict[str, tuple[int, Granularity]] = {
    "7d": (7, Granularity.DAY),
    "30d": (30, Granularity.DAY),
    "90d": (90, Granularity.WEEK),
    "365d": (365, Granularity.MONTH),
}
DEFAULT_RANGE = "30d"
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    """``start`` and ``end`` are both included (calendar days, UTC)."""

    start: date
    end: date
    by: Granularity = Granularity.DAY

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def end_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    def buckets(self) -> list[str]:
        labels: list[str] = []
        day = bucket_start(self.start, self.by)
        while day <= self.end:
            labels.append(day.isoformat())
            day = next_bucket(day, self.by)
        return labels

    @classmethod
    def last(cls, days: int, by: Granularity = Granularity.DAY, today: date | None = None) -> Period:
        end = today or datetime.now(UTC).date()
        return cls(end - timedelta(days=days - 1), end, by)

    @classmethod
    def from_args(cls, args: Mapping[str, str], today: date | None = None) -> Period:
        """From ``?range=30d&by=week`` or ``?from=2026-01-01&to=2026-01-31``; bad input: the default."""
        days, by = RANGES.get(args.get("range", ""), RANGES[DEFAULT_RANGE])
        period = cls.last(days, by, today)
        try:
            start = date.fromisoformat(args["from"]) if args.get("from") else None
            end = date.fromisoformat(args["to"]) if args.get("to") else None
        except ValueError:
            start = end = None
        if start or end:
            end = end or period.end
            start = start or end - timedelta(days=29)
            if start <= end and (end - start).days <= MAX_DAYS:
                period = cls(start, end, by)
        try:
            by = Granularity(args.get("by", "") or period.by)
        except ValueError:
            by = period.by
        return cls(period.start, period.end, by)


def bucket_start(day: date, by: Granularity) -> date:
    if by is Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    if by is Granularity.MONTH:
        return day.replace(day=1)
    return day


def next_bucket(day: date, by: Granularity) -> date:
    if by is Granularity.WEEK:
        return day + timedelta(days=7)
    if by is Granularity.MONTH:
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def sql_bucket(column: Any, by: Granularity) -> sa.ColumnElement[str]:
    """The bucket label of a timestamp column as SQL text (``YYYY-MM-DD``), in UTC."""
    if db.engine.dialect.name == "postgresql":
        utc = sa.func.timezone("UTC", column)
        return sa.func.to_char(sa.func.date_trunc(by.value, utc), "YYYY-MM-DD")
    if by is Granularity.WEEK:
        # SQLite: back to Monday (%w: 0 is Sunday).
        return sa.func.date(column, sa.literal("-") + sa.cast((sa.func.strftime("%w", column) + 6) % 7, sa.String)
                            + sa.literal(" days"))
    if by is Granularity.MONTH:
        return sa.func.strftime("%Y-%m-01", column)
    return sa.func.strftime("%Y-%m-%d", column)
