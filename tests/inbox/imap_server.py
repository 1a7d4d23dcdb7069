"""A real IMAP server for the tests: pymap's in-memory backend in a subprocess on a free port."""

from __future__ import annotations

import imaplib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "service"
PASSWORD = "s3cret p@ss"  # quoted in the URL: the poller must percent-decode it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ImapServer:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"imap://{USER}:s3cret%20p%40ss@{self.host}:{self.port}/INBOX"

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, raw: bytes, mailbox: str = "INBOX") -> None:
        client = self.client()
        try:
            status, data = client.append(mailbox, None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def create(self, mailbox: str) -> None:
        client = self.client()
        try:
            client.create(mailbox)
        finally:
            client.logout()

    def uids(self, criteria: str = "ALL", mailbox: str = "INBOX") -> list[int]:
        client = self.client()
        try:
            client.select(mailbox)
            status, data = client.uid("SEARCH", None, criteria)
            assert status == "OK", data
            return [int(x) for x in (data[0] or b"").split()]
        finally:
            client.logout()


@pytest.fixture
def imap_server(tmp_path: Path) -> Iterator[ImapServer]:
    port = free_port()
    log = (tmp_path / "pymap.log").open("wb")
    proc = subprocess.Popen(  # noqa: S603 - pymap's console script, a test dependency
        [os.path.join(os.path.dirname(sys.executable), "pymap"), "--host", "127.0.0.1", "--port", str(port),
         "--no-service", "admin", "dict", "--demo-user", USER, "--demo-password", PASSWORD],
        stdout=log, stderr=subprocess.STDOUT,
    )
    server = ImapServer("127.0.0.1", port)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                server.client().logout()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"pymap did not start: {(tmp_path / 'pymap.log').read_text()}")
                time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
