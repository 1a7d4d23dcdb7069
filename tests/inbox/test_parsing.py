"""The parser never crashes: malformed MIME, huge mails and binary junk end as ``Unreadable``."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopadmin.inbox import parsing
from shopadmin.inbox import understanding as nlu

HEADERS = st.sampled_from([b"From: a@b.example\r\n", b"To: service@own.example\r\n", b"Subject: =?utf-8?q?x?=\r\n",
                           b"Content-Type: multipart/mixed; boundary=\"B\"\r\n", b"MIME-Version: 1.0\r\n",
                           b"Content-Transfer-Encoding: base64\r\n", b"Message-ID: <<>>\r\n", b"From: \"\" <>\r\n",
                           b"Content-Type: text/html; charset=x-unknown\r\n", b"--B\r\n", b"\r\n"])


def _read(raw: bytes) -> None:
    try:
        mail = parsing.parse(raw, cutters=nlu.all_cutters(), signoffs=nlu.all_signoffs())
    except parsing.Unreadable as exc:
        code = exc.code
        assert code
        return
    assert isinstance(mail.text, str)
    nlu.understand(mail.text, mail.envelope.subject, language="en", catalogue=nlu.Catalogue({}), order=None,
                   order_numbers=[], attachments=mail.attachments)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_binary_junk_never_crashes(raw: bytes) -> None:
    _read(raw)
    assert parsing.envelope(raw).message_id.startswith("<")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HEADERS, max_size=12), st.binary(max_size=2000))
def test_mime_shaped_garbage_never_crashes(headers: list[bytes], body: bytes) -> None:
    _read(b"".join(headers) + b"\r\n" + body)


def test_huge_mail_is_refused() -> None:
    raw = b"From: a@b.example\r\nTo: c@d.example\r\n\r\n" + b"x" * (parsing.MAX_MESSAGE_BYTES + 1)
    with pytest.raises(parsing.Unreadable) as caught:
        parsing.parse(raw)
    assert caught.value.code == "too_large"


def test_quotes_and_signatures_are_stripped() -> None:
    text, forwarded = parsing.strip_quotes(
        "Please cancel.\n\nBest regards,\nAnn\n\nOn Mon, 2 Nov 2026 Shop wrote:\n> cancel nothing",
        nlu.all_cutters(), nlu.all_signoffs())
    assert text == "Please cancel."
    assert not forwarded
