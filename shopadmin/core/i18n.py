"""Which language a screen speaks: the user's preference, then the browser's."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from shopadmin.config import SUPPORTED_LOCALES


def select_locale() -> str | None:
    if current_user and current_user.is_authenticated and current_user.locale:
        preferred = str(current_user.locale).split("_")[0]
        if preferred in SUPPORTED_LOCALES:
            return preferred
    return request.accept_languages.best_match(SUPPORTED_LOCALES, default="en")
