"""Domain errors. Services raise these; one handler maps them to HTTP, pages and CLI.

Messages are Flask-Babel lazy strings with named parameters, so they are translated when
they are shown, in the locale of whoever reads them (ADR 0006)::

    raise Invalid(_l("Unknown SKU %(sku)s.", sku=sku), fields={"sku": [_l("Unknown SKU.")]})

``code`` is the stable key for programs (API clients, tests); the message is for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from flask_babel.speaklater import LazyString

# A message: plain text, or a lazy string (``lazy_gettext``) translated when read.
Message: TypeAlias = "str | LazyString"


def plain(value: Any) -> Any:
    """``value`` with every lazy string in it (lists and dicts included) made text, now."""
    if isinstance(value, LazyString):
        return str(value)
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


class DomainError(Exception):
    """Base of every error a service may raise on purpose.

    ``message`` and ``str(error)`` are the text in the current locale (the request's; the
    default locale outside a request); ``fields`` may hold lazy strings too, ``plain_fields``
    gives them as text.
    """

    status = 400
    code = "bad_request"

    def __init__(self, message: Message, *, code: str | None = None, fields: dict[str, Any] | None = None):
        super().__init__(message)
        self.lazy_message = message
        if code is not None:
            self.code = code
        self.fields = fields or {}

    @property
    def message(self) -> str:
        return str(self.lazy_message)

    def __str__(self) -> str:
        return self.message

    def plain_fields(self) -> dict[str, Any]:
        return plain(self.fields)  # type: ignore[no-any-return]

    def explain(self, *, hidden: tuple[str, ...] = ("permission", "id")) -> str:
        """The message with the field messages after it: what a screen or the CLI shows."""
        details = "; ".join(
            f"{key}: {' '.join(map(str, value)) if isinstance(value, list | tuple) else value}"
            for key, value in self.fields.items()
            if key not in hidden
        )
        return f"{self.message} ({details})" if details else self.message


class Malformed(DomainError):
    status = 400
    code = "malformed"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"


class Invalid(DomainError):
    status = 422
    code = "validation_error"


class PreconditionRequired(DomainError):
    status = 428
    code = "precondition_required"
