"""IMAP intake: a job fetches new mail from one mailbox and hands each message to intake.

One mailbox per installation (``SHOPADMIN_INBOX_IMAP_URL``): intake files every message
under the shop whose address received it, as for the API, so a shared customer-service
mailbox (or one with aliases per shop) is enough.

Never lost, never twice: a message is fetched with ``BODY.PEEK[]`` (the server does not
mark it read), stored and committed (or, with the database away, written to the disk
spool), and only then flagged ``\\Seen`` or moved to ``SHOPADMIN_INBOX_IMAP_MOVE_TO``. A
crash in between leaves it unseen; the next poll fetches it again and the Message-ID
dedupe of intake ignores it, so it is flagged then without being processed twice.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy.exc import OperationalError

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.extensions import db

log = logging.getLogger(__name__)

SCHEMES = {"imap": 143, "imap+starttls": 143, "imaps": 993}
DEFAULT_BATCH = 200
TIMEOUT_SECONDS = 30


class ImapError(Exception):
    """The mailbox cannot be reached or refuses a command (the job logs it and tries next time)."""


@dataclass(frozen=True)
class ImapSettings:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    mailbox: str = "INBOX"
    move_to: str | None = None
    batch: int = DEFAULT_BATCH

    @property
    def label(self) -> str:
        """Where, without the password (for logs and the CLI)."""
        return f"{self.scheme}://{self.user}@{self.host}:{self.port}/{self.mailbox}"


def parse_url(url: str, *, move_to: str | None = None, batch: int = DEFAULT_BATCH) -> ImapSettings:
    """``imaps://user:password@host:993/INBOX`` (``imap://`` plain, ``imap+starttls://`` upgraded).

    User and password are percent-decoded (``%40`` for an ``@`` in a user name).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"SHOPADMIN_INBOX_IMAP_URL: use imaps://, imap+starttls:// or imap://, not {scheme!r}")
    if not parts.hostname or parts.username is None:
        raise ValueError("SHOPADMIN_INBOX_IMAP_URL: give user, password and host (imaps://user:pass@host/INBOX)")
    mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapSettings(scheme=scheme, host=parts.hostname, port=parts.port or SCHEMES[scheme],
                        user=unquote(parts.username), password=unquote(parts.password or ""), mailbox=mailbox,
                        move_to=move_to or None, batch=max(1, batch))


def configured_settings() -> ImapSettings | None:
    url = current_app.config.get("SHOPADMIN_INBOX_IMAP_URL")
    if not url:
        return None
    return parse_url(url, move_to=current_app.config.get("SHOPADMIN_INBOX_IMAP_MOVE_TO"),
                     batch=int(current_app.config.get("SHOPADMIN_INBOX_IMAP_BATCH") or DEFAULT_BATCH))


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    spooled: int = 0
    message_ids: list[int] = field(default_factory=list)


def _check(response: tuple[str, Any], what: str) -> list[Any]:
    status, data = response
    if status != "OK":
        raise ImapError(f"{what}: {status} {data!r}")
    return list(data or [])


def _connect(settings: ImapSettings) -> imaplib.IMAP4:
    try:
        client: imaplib.IMAP4
        if settings.scheme == "imaps":
            client = imaplib.IMAP4_SSL(settings.host, settings.port, ssl_context=ssl.create_default_context(),
                                       timeout=TIMEOUT_SECONDS)
        else:
            client = imaplib.IMAP4(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ImapError(f"cannot connect to {settings.label}: {exc}") from exc
    try:
        if settings.scheme == "imap+starttls":
            client.starttls(ssl.create_default_context())
        client.login(settings.user, settings.password)
        # Servers often announce MOVE and UIDPLUS only once signed in; imaplib kept the first list.
        status, data = client.capability()
        if status == "OK" and data and isinstance(data[0], bytes):
            client.capabilities = tuple(data[0].decode().upper().split())
    except (OSError, imaplib.IMAP4.error) as exc:
        client.shutdown()
        raise ImapError(f"cannot sign in to {settings.label}: {exc}") from exc
    return client


def _fetch(client: imaplib.IMAP4, uid: str) -> bytes | None:
    data = _check(client.uid("FETCH", uid, "(UID BODY.PEEK[])"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None  # expunged meanwhile by someone else


def _done(client: imaplib.IMAP4, settings: ImapSettings, uid: str) -> None:
    """Only after the message is safely stored: flag it, or move it out of the way."""
    if settings.move_to:
        capabilities = getattr(client, "capabilities", ())
        if "MOVE" in capabilities:
            _check(client.uid("MOVE", uid, _quote(settings.move_to)), "MOVE")
            return
        _check(client.uid("COPY", uid, _quote(settings.move_to)), "COPY")
        _check(client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen \Deleted)"), "STORE")
        if "UIDPLUS" in capabilities:
            _check(client.uid("EXPUNGE", uid), "EXPUNGE")
        else:  # removes what else is flagged deleted too: that is what the flag asks for
            _check(client.expunge(), "EXPUNGE")
        return
    _check(client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)"), "STORE")


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _store(raw: bytes, result: PollResult) -> None:
    """Intake in its own transaction; with the database away, the disk spool keeps the mail."""
    from shopadmin.inbox import services, spool

    access = system_access("inbox-imap")
    try:
        with unit_of_work(access):
            message, created = services.intake(access, raw, source="imap")
            message_id = message.id
    except OperationalError:
        db.session.rollback()
        db.session.remove()
        spool.spool(raw, "imap")
        log.warning("inbox imap: database unavailable, message spooled")
        result.spooled += 1
        return
    if created:
        result.stored += 1
        result.message_ids.append(message_id)
    else:
        result.duplicates += 1


def poll(settings: ImapSettings | None = None) -> PollResult:
    """Fetch up to ``batch`` new messages, store each, then flag or move it on the server."""
    settings = settings or configured_settings()
    if settings is None:
        raise ImapError("IMAP intake is not configured (SHOPADMIN_INBOX_IMAP_URL).")
    result = PollResult()
    client = _connect(settings)
    try:
        try:
            _check(client.select(_quote(settings.mailbox)), f"SELECT {settings.mailbox}")
            criteria = "UNDELETED" if settings.move_to else "UNSEEN UNDELETED"
            found = _check(client.uid("SEARCH", criteria), "SEARCH")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ImapError(f"{settings.label}: {exc}") from exc
        uids = [u.decode() for u in (found[0] or b"").split()] if found and isinstance(found[0], bytes) else []
        for uid in uids[: settings.batch]:
            try:
                raw = _fetch(client, uid)
                if raw is None:
                    continue
                result.fetched += 1
                _store(raw, result)
                _done(client, settings, uid)
            except (OSError, imaplib.IMAP4.error) as exc:
                raise ImapError(f"{settings.label}, message UID {uid}: {exc}") from exc
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    if result.fetched:
        log.info("inbox imap %s: %s fetched, %s stored, %s duplicates, %s spooled", settings.label,
                 result.fetched, result.stored, result.duplicates, result.spooled)
    return result


def poll_job() -> int:
    """The periodic job: one poll; a mailbox that does not answer is logged and tried next time."""
    from shopadmin.core.errors import Conflict
    from shopadmin.core.locks import named_lock

    try:
        with named_lock("inbox-imap-poll", timeout=600, wait=0.1):
            return poll().stored
    except Conflict:  # a poll still running (a big batch): this one has nothing to do
        return 0
    except ImapError as exc:
        log.warning("inbox imap: %s", exc)
        return 0
