"""Starting an assistance from a screen or the API: the service, and a refusal kept.

Services never commit, and a refusal raises (rolling the request back), so the refusal
is written here in a transaction of its own before the error goes on to the handler.
"""

from __future__ import annotations

from flask import request, url_for

from shopadmin.assistance import services
from shopadmin.core.access import Access
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import Forbidden, NotFound


def start(access: Access, start_request: services.StartRequest) -> tuple[services.HandOff, str]:
    """Issue the hand-off link; returns it with its absolute URL. Refusals are recorded."""
    try:
        with unit_of_work(access):
            hand_off = services.start_assistance(access, start_request)
            shop_code = hand_off.session.shop.code
    except (services.AssistanceRefused, NotFound, Forbidden) as refusal:
        with unit_of_work(access):
            services.record_refusal(access, start_request, refusal)
        raise
    url = url_for("storefront.assist", shop_code=shop_code, token=hand_off.token, _external=True)
    return hand_off, url


def client_ip() -> str:
    return (request.remote_addr or "")[:64]
