"""Sending one message by SMTP, with failures sorted into temporary and permanent."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate


class DeliveryError(Exception):
    pass


class TemporaryFailure(DeliveryError):
    """4xx, a refused or dropped connection, a timeout: worth trying again later."""


class PermanentFailure(DeliveryError):
    """5xx: the server will not take this message; trying again will not help."""


def _classify(code: int, message: str) -> DeliveryError:
    text = f"{code} {message}"
    return TemporaryFailure(text) if 400 <= code < 500 else PermanentFailure(text)


def build_message(*, sender: str, to: str, subject: str, text: str, html: str | None, locale: str,
                  message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    # Stable per notification: a receiver can spot the rare duplicate of an at-least-once send.
    message["Message-ID"] = f"<{message_id}@shopadmin>"
    message.set_content(text or "")
    if html:
        message.add_alternative(html, subtype="html")
    # After the parts: making an alternative moves Content-* headers into the first part.
    message["Content-Language"] = locale.replace("_", "-")
    return message


def send(message: EmailMessage, *, host: str, port: int, timeout: float = 30) -> None:
    """Hand ``message`` to the SMTP server; ``TemporaryFailure`` / ``PermanentFailure`` when it won't."""
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reason = min(exc.recipients.values(), key=lambda item: item[0])
        raise _classify(code, reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)) from exc
    except smtplib.SMTPResponseException as exc:
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        raise _classify(exc.smtp_code, text) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
