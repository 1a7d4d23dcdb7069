"""Secrets that never go into the outbox: put into a mail only when it is sent.

The outbox keeps what staff may read (bodies in the screens and the API, payloads, the
activity history). A mail that carries a secret, such as a password-reset link, is
stored with a placeholder; at delivery its event's filler (a dotted path, imported
when needed so notifications does not depend on the domains it serves) answers what
each placeholder becomes, and the filled text goes to the mailer only, never back to
the row. A filler answers ``{}`` when the secret must not go out (the recipient is not
the customer's own address): the placeholder stays and the link in the mail is dead.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from shopadmin.notifications.models import Notification

Filler = Callable[[Notification], dict[str, str]]

FILLERS: dict[str, str] = {
    "password_reset": "shopadmin.storefront.services:reset_link_secrets",
}


def _filler(event: str) -> Filler | None:
    target = FILLERS.get(event)
    if target is None:
        return None
    module, _, name = target.partition(":")
    filler: Any = getattr(importlib.import_module(module), name)
    return filler  # type: ignore[no-any-return]


def fill(row: Notification) -> tuple[str, str | None]:
    """The row's text and HTML bodies as they are sent (the row itself is not changed)."""
    text, html = row.body_text or "", row.body_html
    filler = _filler(row.event)
    if filler is None:
        return text, html
    for placeholder, secret in filler(row).items():
        text = text.replace(placeholder, secret)
        html = html.replace(placeholder, secret) if html is not None else None
    return text, html
