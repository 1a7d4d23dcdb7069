"""Periods and time buckets, the same in SQL (PostgreSQL and SQLite) and in Python.

Buckets are calendar days, ISO weeks (starting Monday) or months, labelled by their first
day (``2026-11-16``). The chart axis is built in Python so empty buckets show as 0.

Calendar days are the shop's: an order placed at 23:30 UTC in a Berlin shop belongs to the
next day, one placed at 03:30 UTC in a New York shop to the day before. ``ShopDays`` is the
one place for that rule. Python (``zoneinfo``) works out each zone's UTC offsets over the
period, daylight saving changes included, and the SQL adds the offset in force to the
stored UTC timestamp before cutting it into days: the same arithmetic on PostgreSQL and
SQLite (which has no time zone database), and a shop's time zone never reaches the SQL
text. An unknown zone name reads as UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    """``start`` and ``end`` are both included (calendar days; each shop reads them in its
    own time zone through ``ShopDays``; ``start_at``/``end_before`` are the UTC reading)."""

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


def sql_bucket(column: Any, by: Granularity, offsets: Offsets | None = None) -> sa.ColumnElement[str]:
    """The bucket label of a timestamp column as SQL text (``YYYY-MM-DD``): in UTC, or in the
    local time that ``offsets`` (from ``zone_offsets``) describe."""
    offsets = offsets or [(None, 0)]
    if db.engine.dialect.name == "postgresql":
        local = sa.func.timezone("UTC", column) + _case_by_time(
            column, [(since, sa.literal_column(f"interval '{seconds} seconds'")) for since, seconds in offsets])
        return sa.func.to_char(sa.func.date_trunc(by.value, local), "YYYY-MM-DD")
    # SQLite keeps UTC wall-clock text; datetime(x, '+3600 seconds') moves it to local time.
    local = sa.func.datetime(column, _case_by_time(
        column, [(since, sa.literal(f"{seconds:+d} seconds")) for since, seconds in offsets]))
    if by is Granularity.WEEK:
        # Back to Monday (%w: 0 is Sunday).
        return sa.func.date(local, sa.literal("-") + sa.cast((sa.func.strftime("%w", local) + 6) % 7, sa.String)
                            + sa.literal(" days"))
    if by is Granularity.MONTH:
        return sa.func.strftime("%Y-%m-01", local)
    return sa.func.strftime("%Y-%m-%d", local)


# -- the shop's calendar days ---------------------------------------------------------------------

# [(from this UTC instant on (None: since ever), UTC offset in seconds)], in time order.
Offsets = list[tuple[datetime | None, int]]
_STEP = timedelta(hours=6)  # zones change offset at most once in that long


def zone_of(name: str | None) -> ZoneInfo:
    """The time zone called ``name``; UTC for an empty or unknown name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant a calendar day starts in ``zone``."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def zone_offsets(zone: ZoneInfo, start: datetime, end: datetime) -> Offsets:
    """The UTC offsets ``zone`` uses between two UTC instants, each change to the second."""

    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]

    found: Offsets = [(None, offset(start))]
    step = start
    while step < end:
        after = min(step + _STEP, end)
        if offset(after) != found[-1][1]:
            # The change lies in (step, after]: halve it down to the second.
            low, high = int(step.timestamp()), int(after.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (low, middle) if offset(_instant(middle)) != found[-1][1] else (middle, high)
            found.append((_instant(high), offset(_instant(high))))
        step = after
    return found


def _instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _case_by_time(column: Any, values: list[tuple[datetime | None, Any]]) -> Any:
    """``CASE WHEN column < t1 THEN v0 WHEN column < t2 THEN v1 ... ELSE vn END`` for
    ``[(None, v0), (t1, v1), ..., (tn, vn)]``: the value in force at the row's time."""
    if len(values) == 1:
        return values[0][1]
    whens = [(column < values[index + 1][0], value) for index, (_since, value) in enumerate(values[:-1])]
    return sa.case(*whens, else_=values[-1][1])


@dataclass(frozen=True)
class ShopDays:
    """Which time zone each shop reads calendar days in (``Shop.timezone``).

    ``zones`` maps a zone name to the shops in it; ``within`` and ``bucket`` give SQL that
    reads a timestamp column in the zone of the row's shop.
    """

    zones: Mapping[str, frozenset[int]]

    @classmethod
    def of(cls, shop_ids: Iterable[int]) -> ShopDays:
        from shopadmin.tenants.models import Shop

        ids = sorted(set(shop_ids))
        zones: dict[str, set[int]] = {}
        if ids:
            for shop_id, name in db.session.execute(sa.select(Shop.id, Shop.timezone).where(Shop.id.in_(ids))):
                zones.setdefault(zone_of(name).key, set()).add(shop_id)
        return cls({name: frozenset(members) for name, members in sorted(zones.items())})

    def today(self, now: datetime | None = None) -> date:
        """Today in the shops' time zone when they share one, else in UTC."""
        now = now or datetime.now(UTC)
        return now.astimezone(ZoneInfo(next(iter(self.zones)))).date() if len(self.zones) == 1 else now.date()

    def within(self, column: Any, shop_column: Any, period: Period) -> sa.ColumnElement[bool]:
        """``column`` falls on one of the period's days, read in the zone of the row's shop."""
        if not self.zones:
            return sa.false()
        return sa.or_(*(
            sa.and_(shop_column.in_(sorted(ids)),
                    column >= local_midnight(period.start, ZoneInfo(name)),
                    column < local_midnight(period.end + timedelta(days=1), ZoneInfo(name)))
            for name, ids in self.zones.items()
        ))

    def bucket(self, column: Any, shop_column: Any, period: Period) -> sa.ColumnElement[str]:
        """The bucket label (``YYYY-MM-DD``) of ``column`` in the zone of the row's shop."""
        start, end = period.start_at - timedelta(days=2), period.end_before + timedelta(days=2)
        buckets = [(ids, sql_bucket(column, period.by, zone_offsets(ZoneInfo(name), start, end)))
                   for name, ids in self.zones.items()]
        if len(buckets) <= 1:
            return buckets[0][1] if buckets else sql_bucket(column, period.by)
        return sa.case(*((shop_column.in_(sorted(ids)), expression) for ids, expression in buckets[:-1]),
                       else_=buckets[-1][1])
