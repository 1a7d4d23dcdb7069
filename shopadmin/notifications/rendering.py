"""Rendering mails: shipped defaults and staff-edited templates, always in a sandbox.

Staff-edited templates run in Jinja's ``ImmutableSandboxedEnvironment``: no attribute
starting with ``_``, no mutation of what they are given, and they only ever receive
plain dicts (never ORM objects, never the app). A template that fails to parse is
refused when saved (``Invalid`` with the line); one that fails at send time falls
back to the shipped default, so a customer never gets a broken mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from flask_babel import lazy_gettext as _l
from jinja2 import Template, TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from shopadmin.core.errors import Invalid

DEFAULTS_DIR = Path(__file__).parent / "defaults"
FALLBACK_LOCALE = "en"
SECTIONS = ("subject", "text", "html")


@dataclass(frozen=True)
class MailContent:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class TemplateSource:
    subject: str
    text: str
    html: str
    locale: str
    is_default: bool


def _money(locale: str) -> Any:
    def money(amount: Any, currency: str | None = None) -> str:
        try:
            value = Decimal(str(amount))
        except (InvalidOperation, ValueError):
            return str(amount)
        if not currency:
            return format_decimal(value, locale=locale)
        return format_currency(value, currency, locale=locale)

    return money


def _date(locale: str) -> Any:
    def date(value: Any, style: str = "medium") -> str:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return value
        if isinstance(value, datetime):
            return format_datetime(value, style, locale=locale)
        return format_date(value, style, locale=locale) if value else ""

    return date


class SandboxUndefined(Undefined):
    """A missing value prints as nothing, but a blocked one (``x.__class__``) is an error.

    Jinja's sandbox answers an unsafe attribute with an undefined that only fails when
    used further; printing it would silently give "". Staff should hear that the
    template tried to reach something it may not.
    """

    __slots__ = ()

    def _blocked(self) -> bool:
        return self._undefined_exception is SecurityError

    def __str__(self) -> str:
        if self._blocked():
            self._fail_with_undefined_error()
        return ""

    def __bool__(self) -> bool:
        if self._blocked():
            self._fail_with_undefined_error()
        return False


@cache
@cache
def _environment(autoescape: bool) -> ImmutableSandboxedEnvironment:
    # One environment per escaping mode; sandboxed environments are immutable and thread-safe.
    return ImmutableSandboxedEnvironment(autoescape=autoescape, undefined=SandboxUndefined, trim_blocks=True)


@lru_cache(maxsize=512)
def _compiled(text: str, autoescape: bool) -> Template:
    """Compiling is the expensive part of rendering: each template source is compiled once."""
    return _environment(autoescape).from_string(text)


def check_syntax(source: TemplateSource) -> None:
    """``Invalid`` naming the field and line of the first syntax error."""
    errors: dict[str, list[str]] = {}
    for name, text, escape in (("subject", source.subject, False), ("body_text", source.text, False),
                               ("body_html", source.html, True)):
        try:
            _environment(escape).parse(text or "")
        except TemplateSyntaxError as exc:
            errors[name] = [_l("Line %(line)s: %(error)s", line=exc.lineno, error=exc.message)]
    if errors:
        raise Invalid(_l("The template has a syntax error."), code="template_syntax", fields=errors)


def render(source: TemplateSource, context: dict[str, Any]) -> MailContent:
    """Render in the sandbox. ``Invalid`` on a syntax error or an attempt to reach internals."""
    locale = str(context.get("locale") or FALLBACK_LOCALE)
    parts: dict[str, str] = {}
    for name, text, escape in (("subject", source.subject, False), ("text", source.text, False),
                               ("html", source.html, True)):
        try:
            template = _compiled(text or "", escape)
            parts[name] = template.render(**context, money=_money(locale), date=_date(locale))
        except TemplateSyntaxError as exc:
            raise Invalid(_l("The template has a syntax error."), code="template_syntax",
                          fields={name: [_l("Line %(line)s: %(error)s", line=exc.lineno, error=exc.message)]}) from None
        except SecurityError as exc:
            raise Invalid(_l("The template tries to reach something it may not."), code="template_unsafe",
                          fields={name: [str(exc)]}) from None
        except TemplateError as exc:
            raise Invalid(_l("The template cannot be rendered."), code="template_error",
                          fields={name: [str(exc)]}) from None
        except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
            raise Invalid(_l("The template cannot be rendered."), code="template_error",
                          fields={name: [f"{type(exc).__name__}: {exc}"]}) from None
    subject = " ".join(parts["subject"].split())[:300]
    return MailContent(subject=subject, text=parts["text"].strip() + "\n", html=parts["html"].strip())


def _parse_default(raw: str) -> dict[str, str]:
    """A shipped default: ``subject: ...`` on the first line, then ``--- text`` and ``--- html`` sections."""
    first, _, rest = raw.partition("\n")
    sections = {"subject": first.removeprefix("subject:").strip(), "text": "", "html": ""}
    current = None
    buffer: list[str] = []
    for line in rest.splitlines():
        if line.startswith("--- ") and line[4:].strip() in SECTIONS:
            if current:
                sections[current] = "\n".join(buffer).strip("\n")
            current, buffer = line[4:].strip(), []
        else:
            buffer.append(line)
    if current:
        sections[current] = "\n".join(buffer).strip("\n")
    return sections


@cache
def default_source(event: str, locale: str) -> TemplateSource | None:
    path = DEFAULTS_DIR / locale / f"{event}.mail"
    if not path.is_file():
        return None
    sections = _parse_default(path.read_text(encoding="utf-8"))
    return TemplateSource(sections["subject"], sections["text"], sections["html"], locale, True)


def default_locales() -> list[str]:
    return sorted(p.name for p in DEFAULTS_DIR.iterdir() if p.is_dir())


def locale_chain(*candidates: str | None) -> list[str]:
    """Preferred locales first, each also as its language (``de_CH`` -> ``de``), English last."""
    chain: list[str] = []
    for candidate in (*candidates, FALLBACK_LOCALE):
        if not candidate:
            continue
        for item in (str(candidate), str(candidate).replace("-", "_").split("_")[0]):
            if item not in chain:
                chain.append(item)
    return chain
