"""Pieces shared by the domains' command-line commands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click


class AwareDateTime(click.ParamType):
    """An ISO 8601 moment with its offset (``2030-01-31T12:00:00+00:00``); a time without an
    offset is refused, as the server's zone would silently decide what it means."""

    name = "ISO-8601"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"not an ISO 8601 time: {value!r}", param, ctx)
        if moment.tzinfo is None:
            self.fail("give an offset, e.g. 2030-01-31T12:00:00+00:00", param, ctx)
        return moment


AWARE_DATETIME = AwareDateTime()


def now_option(help_text: str) -> Any:
    """``--now``: judge as of this moment instead of the current time (tests, catching up)."""
    return click.option("--now", type=AWARE_DATETIME, default=None, help=help_text)
