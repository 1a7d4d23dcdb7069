"""Which language a screen speaks, and the words screens show for stored values.

Locale: the signed-in user's preference, then the browser's; outside a request (jobs, the
CLI) the default locale (``BABEL_DEFAULT_LOCALE``, English).

Labels: states, statuses and channels are stored as stable codes (``waiting_payment``) and
shown as words in the reader's language. Each domain registers the labels of its values
next to where it defines them, with ``lazy_gettext`` so ``make i18n`` extracts them::

    register_labels("notification_status", {"queued": _l("queued"), ...})

and templates show a value with the ``label`` filter: ``{{ order.state|label("order_state") }}``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from flask import Flask, has_request_context, request
from flask_login import current_user

from shopadmin.config import SUPPORTED_LOCALES
from shopadmin.core.errors import Message


def select_locale() -> str | None:
    if not has_request_context():
        return None  # Flask-Babel's default locale
    if current_user and current_user.is_authenticated and current_user.locale:
        preferred = str(current_user.locale).split("_")[0]
        if preferred in SUPPORTED_LOCALES:
            return preferred
    return request.accept_languages.best_match(SUPPORTED_LOCALES, default="en")


# -- labels of stored values ----------------------------------------------------------------------

_LABELS: dict[str, dict[str, Message]] = {}


def register_labels(kind: str, labels: Mapping[str, Message]) -> None:
    """Register (or extend) the labels of one kind of value, e.g. ``"order_state"``."""
    _LABELS.setdefault(kind, {}).update({_code(value): text for value, text in labels.items()})


def labels_of(kind: str) -> dict[str, Message]:
    """Every registered value of ``kind`` with its (lazy) label, in registration order."""
    return dict(_known(kind))


def label(value: object, kind: str) -> str:
    """The word for a stored value in the current locale; an unregistered value as it is.

    An unknown ``kind`` is a programming error (a typo in a template) and raises ``KeyError``.
    """
    if value is None:
        return ""
    code = _code(value)
    text = _known(kind).get(code)
    return str(text) if text is not None else code


def choices(kind: str) -> list[tuple[str, str]]:
    """``(value, label)`` pairs for a select field, labels in the current locale."""
    return [(code, str(text)) for code, text in _known(kind).items()]


def _known(kind: str) -> dict[str, Message]:
    try:
        return _LABELS[kind]
    except KeyError:
        raise KeyError(f"no labels registered for {kind!r}; known: {', '.join(sorted(_LABELS))}") from None


def _code(value: object) -> str:
    return str(value.value) if isinstance(value, enum.Enum) else str(value)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["label"] = label
