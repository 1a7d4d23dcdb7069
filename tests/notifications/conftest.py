"""A real SMTP server (aiosmtpd) on a free localhost port, with scripted failures."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Sink:
    """Records accepted messages; ``replies`` answers the next DATA commands first (e.g. 451)."""

    messages: list[Message] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    hold: threading.Event | None = None
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        import asyncio

        with self.lock:
            self.attempts += 1
            reply = self.replies.pop(0) if self.replies else None
        if self.hold is not None:
            while not self.hold.is_set():
                await asyncio.sleep(0.05)
        if reply:
            return reply
        message = message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, count: int, timeout: float = 10) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        if sink.hold is not None:
            sink.hold.set()
        controller.stop()


def body_text(message: Message) -> str:
    if message.is_multipart():
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                return str(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))
    return str(message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8"))
