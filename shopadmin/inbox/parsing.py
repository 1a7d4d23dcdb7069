"""Reading raw emails safely: headers, a plain-text body, attachments.

Everything here is pure (no database) and never raises on bad input other than
``Unreadable``: malformed MIME, binary junk, absurd sizes all end there, and the
worker turns that into a clean ``rejected``. The standard library parses the MIME;
BeautifulSoup turns HTML bodies into text.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
import warnings
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
MAX_PARTS = 200
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 100_000
HEADER_RE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:", re.MULTILINE)
MESSAGE_ID_RE = re.compile(r"<?([^<>\s]{1,240})>?")


class Unreadable(Exception):
    """The bytes are not an email we can read; ``code`` says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Envelope:
    """The headers intake needs before it stores the message (never raises)."""

    message_id: str
    sender: str
    recipients: list[str]
    subject: str


@dataclass
class ParsedMail:
    envelope: Envelope
    text: str  # the new text of the mail: quotes and signature removed
    full_text: str  # the whole body as text (for the review screen)
    attachments: list[Attachment] = field(default_factory=list)
    in_reply_to: str = ""
    is_automatic: bool = False  # auto-replies, bounces, lists: never answered
    is_forwarded: bool = False
    was_html: bool = False


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
        return " ".join(str(value).split())[:1000] if value is not None else ""
    except Exception:  # a header the policy cannot decode: treat it as absent
        return ""


def _addresses(msg: Message, *names: str) -> list[str]:
    values: list[str] = []
    for name in names:
        try:
            values += [str(v) for v in msg.get_all(name, [])]
        except Exception:  # noqa: S112  (an undecodable header counts as absent)
            continue
    try:
        pairs = getaddresses(values)
    except Exception:  # getaddresses is strict about some garbage
        return []
    return [addr.strip().lower() for _name, addr in pairs if "@" in addr and len(addr) <= 254]


def clean_message_id(value: str) -> str:
    match = MESSAGE_ID_RE.search(value or "")
    return f"<{match.group(1)}>" if match else ""


def _load(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def envelope(raw: bytes, msg: Message | None = None) -> Envelope:
    """Message-ID, sender, recipients and subject; a synthetic Message-ID when it has none."""
    try:
        msg = msg if msg is not None else _load(raw[:MAX_MESSAGE_BYTES])
        message_id = clean_message_id(_header(msg, "Message-ID"))
        senders = _addresses(msg, "From")
        recipients = _addresses(msg, "Delivered-To", "X-Original-To", "To", "Cc")
        subject = _header(msg, "Subject")[:300]
    except Exception:  # not even headers: stored anyway, rejected by the worker
        message_id, senders, recipients, subject = "", [], [], ""
    if not message_id:
        message_id = f"<sha256-{digest(raw)}@inbox.invalid>"
    return Envelope(message_id=message_id, sender=senders[0] if senders else "", recipients=recipients,
                    subject=subject)


def looks_like_email(raw: bytes) -> bool:
    head = raw[:8192]
    if b"\x00" in head:
        return False
    lines = head.split(b"\n", 40)[:40]
    header_lines = sum(1 for line in lines if HEADER_RE.match(line))
    return header_lines >= 2


BLOCKS = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "address")


def html_to_text(html: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title"]):
        tag.decompose()
    for quote in soup.find_all("blockquote"):
        quote.decompose()
    for div in soup.select("div.gmail_quote, div.gmail_signature, div#appendonsend, div.moz-cite-prefix"):
        div.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(BLOCKS):
        block.insert_after("\n")
    text = soup.get_text()
    lines = [line.strip() for line in text.replace("\xa0", " ").split("\n")]
    return re.sub(r"\n\n\n+", "\n\n", "\n".join(lines)).strip()


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except Exception:
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return str(content)[:MAX_TEXT_CHARS * 2]


def parse(raw: bytes, *, cutters: tuple[re.Pattern[str], ...] = (), signoffs: tuple[str, ...] = ()) -> ParsedMail:
    """The mail as the worker reads it. Raises ``Unreadable`` and nothing else."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise Unreadable("too_large", f"The message is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MiB.")
    if not looks_like_email(raw):
        raise Unreadable("not_an_email", "This is not an email (no headers).")
    try:
        return _parse(raw, cutters, signoffs)
    except Unreadable:
        raise
    except Exception as exc:  # the MIME parser's many ways to fail on garbage
        raise Unreadable("malformed", f"The message cannot be read: {type(exc).__name__}.") from exc


def _parse(raw: bytes, cutters: tuple[re.Pattern[str], ...], signoffs: tuple[str, ...]) -> ParsedMail:
    msg = _load(raw)
    env = envelope(raw, msg)
    if not env.sender:
        raise Unreadable("no_sender", "The message has no sender address.")
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for count, part in enumerate(msg.walk()):
        if count > MAX_PARTS:
            raise Unreadable("too_many_parts", f"More than {MAX_PARTS} MIME parts.")
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename() or ""
        if disposition == "attachment" or filename:
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and len(payload) <= MAX_ATTACHMENT_BYTES:
                attachments.append(Attachment(filename[:200], ctype, payload))
            continue
        if ctype == "text/plain":
            plain.append(_part_text(part))
        elif ctype == "text/html":
            html.append(_part_text(part))
        elif ctype == "message/rfc822":
            continue
    was_html = not plain and bool(html)
    body = "\n".join(plain) if plain else "\n".join(html_to_text(h) for h in html)
    body = body.replace("\r\n", "\n").replace("\r", "\n")[:MAX_TEXT_CHARS]
    if "\x00" in body:
        body = body.replace("\x00", "")
    new_text, forwarded = strip_quotes(body, cutters, signoffs)
    auto = _is_automatic(msg, env.sender)
    return ParsedMail(envelope=env, text=new_text, full_text=body, attachments=attachments,
                      in_reply_to=clean_message_id(_header(msg, "In-Reply-To")), is_automatic=auto,
                      is_forwarded=forwarded, was_html=was_html)


FORWARD_RE = re.compile(
    r"^\s*(-{2,}\s*(forwarded message|original message|weitergeleitete nachricht|ursprüngliche nachricht|"
    r"message transféré|message d'origine|mensaje reenviado|mensaje original)\s*-{2,}|begin forwarded message:)",
    re.IGNORECASE,
)
SIGNATURE_RE = re.compile(r"^(--|—|__+)\s*$")


def strip_quotes(body: str, cutters: tuple[re.Pattern[str], ...] = (),
                 signoffs: tuple[str, ...] = ()) -> tuple[str, bool]:
    """The text the sender wrote now: no quoted reply, no signature. Returns (text, forwarded)."""
    kept: list[str] = []
    forwarded = False
    lines = body.split("\n")
    n = 0
    while n < len(lines):
        line = lines[n]
        stripped = line.strip()
        if FORWARD_RE.match(stripped):
            # A forwarded mail: what was forwarded is the request (the caller treats it with care).
            forwarded = True
            kept.append("")
            n += 1
            continue
        if stripped.startswith(">"):
            n += 1
            continue
        if SIGNATURE_RE.match(line.rstrip()) and not forwarded:
            break
        if any(cut.search(stripped) for cut in cutters):
            if forwarded:
                n += 1
                continue
            break
        lowered = stripped.lower().rstrip(",.!")
        if lowered and lowered in signoffs and not forwarded:
            break
        kept.append(line)
        n += 1
    return "\n".join(kept).strip(), forwarded


def _is_automatic(msg: Message, sender: str) -> bool:
    auto = _header(msg, "Auto-Submitted").lower()
    precedence = _header(msg, "Precedence").lower()
    local = sender.split("@", 1)[0].lower()
    return bool(
        (auto and auto != "no")
        or precedence in ("bulk", "junk", "list")
        or _header(msg, "List-Id")
        or local in ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply")
    )


def sender_name(raw_from: str) -> str:
    return parseaddr(raw_from)[0]
