"""The only place that reads the environment.

Every setting has an environment variable (``SHOPADMIN_*``); an ``.env`` file in the
working directory or ``instance/settings.env`` may add to it. With nothing set the app
runs on the embedded default: SQLite in the instance folder and jobs run inline.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

SUPPORTED_LOCALES = ("en", "de", "fr")


def _env(name: str, file_values: dict[str, str | None], default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None:
        value = file_values.get(name)
    return value if value not in (None, "") else default


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """Generate a key once and keep it in the instance folder (development only)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def normalise_database_url(url: str) -> str:
    """SQLAlchemy 2.1 maps plain ``postgresql://`` to psycopg 3 already; say it explicitly."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite"):
        # Several threads of the dev server share the file: wait for locks, don't fail.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def load_config(instance_path: str) -> dict[str, Any]:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    file_values: dict[str, str | None] = {}
    for candidate in (Path.cwd() / ".env", instance / "settings.env"):
        if candidate.exists():
            file_values.update(dotenv_values(candidate))

    def env(name: str, default: str | None = None) -> str | None:
        return _env(name, file_values, default)

    database_url = normalise_database_url(
        env("SHOPADMIN_DATABASE_URL") or f"sqlite:///{instance / 'shopadmin.sqlite3'}"
    )
    redis_url = env("SHOPADMIN_REDIS_URL")
    secure_cookies = _flag(env("SHOPADMIN_SECURE_COOKIES"), default=False)
    return {
        "SECRET_KEY": env("SHOPADMIN_SECRET_KEY") or _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SHOPADMIN_REDIS_URL": redis_url,
        "SHOPADMIN_QUEUES": ("default", "mail"),
        "SHOPADMIN_SMTP_HOST": env("SHOPADMIN_SMTP_HOST", "localhost"),
        "SHOPADMIN_SMTP_PORT": int(env("SHOPADMIN_SMTP_PORT", "25") or 25),
        "SHOPADMIN_MAIL_FROM": env("SHOPADMIN_MAIL_FROM", "shop@localhost"),
        "SHOPADMIN_LOGIN_RATE_LIMIT": env("SHOPADMIN_LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "SHOPADMIN_CHEAP_PASSWORD_HASHING": _flag(env("SHOPADMIN_CHEAP_PASSWORD_HASHING"), default=False),
        "SHOPADMIN_TOKEN_TTL_DAYS": int(env("SHOPADMIN_TOKEN_TTL_DAYS", "30") or 30),
        # The inbox worker: an IMAP mailbox polled by a job (unset: no polling), and the folder
        # where intake keeps raw mail while the database is away.
        "SHOPADMIN_INBOX_IMAP_URL": env("SHOPADMIN_INBOX_IMAP_URL"),
        "SHOPADMIN_INBOX_IMAP_MOVE_TO": env("SHOPADMIN_INBOX_IMAP_MOVE_TO"),
        "SHOPADMIN_INBOX_IMAP_EVERY": int(env("SHOPADMIN_INBOX_IMAP_EVERY", "60") or 60),
        "SHOPADMIN_INBOX_IMAP_BATCH": int(env("SHOPADMIN_INBOX_IMAP_BATCH", "200") or 200),
        "SHOPADMIN_INBOX_SPOOL": env("SHOPADMIN_INBOX_SPOOL"),
        # A background report's file is kept this many days after it is made, then deleted
        # (the run stays, marked expired).
        "SHOPADMIN_REPORT_RETENTION_DAYS": int(env("SHOPADMIN_REPORT_RETENTION_DAYS", "7") or 7),
        # An uploaded import of more records than this is stored and imported by a job.
        "SHOPADMIN_IMPORT_INLINE_ROWS": int(env("SHOPADMIN_IMPORT_INLINE_ROWS", "500") or 500),
        # Cookies: signed (Flask's default session), never readable by scripts.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": int(env("SHOPADMIN_SESSION_SECONDS", "43200") or 43200),
        "MAX_CONTENT_LENGTH": int(env("SHOPADMIN_MAX_BODY_BYTES", str(25 * 1024 * 1024)) or 0),
        "SHOPADMIN_MAX_JSON_BYTES": 1024 * 1024,
        # Rate limits live in Redis when there is one, so every process shares them.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": _flag(env("SHOPADMIN_RATELIMIT"), default=True),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        "FLASK_ADMIN_SWATCH": "cerulean",
        # flask-smorest: the spec is served at /api/v1/openapi.json
        "API_TITLE": "shopadmin",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
