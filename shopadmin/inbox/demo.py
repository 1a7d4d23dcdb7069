"""Demo inbox: a few customer mails per shop, processed by the worker as in production.

Per shop with a customer-service address: a status question and an address change the
worker applies by itself, a cancel of a blocked order and a purchase order left for
review, a purchase order a supervisor rejected (its draft cart voided), and binary junk
(``rejected``). Message-IDs are fixed, so loading twice changes nothing.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from shopadmin.extensions import db
from shopadmin.inbox import services
from shopadmin.tenants.models import Shop

if TYPE_CHECKING:
    from shopadmin.demo import DemoContext


def _mail(shop: Shop, sender: str, subject: str, body: str, key: str,
          attachment: tuple[str, bytes] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = shop.email or ""
    msg["Subject"] = subject
    msg["Message-ID"] = f"<demo-{key}-{shop.code.lower()}@demo.example>"
    msg.set_content(body)
    if attachment is not None:
        msg.add_attachment(attachment[1], maintype="text", subtype="csv", filename=attachment[0])
    return msg.as_bytes()


def _order(access: Any, customer_id: int, shop: Shop, state: str, *, blocked: bool | None = None) -> Any:
    from shopadmin.orders import services as orders

    found = orders.list_orders(access, orders.OrderQuery(customer_id=customer_id, shop=shop.code, state=state),
                               limit=20)
    return next((o for o in found if blocked is None or bool(o.active_blocks) == blocked), None)


def _feed(access: Any, worker: Any, raw: bytes) -> Any:
    message, created = services.intake(access, raw, source="demo", process_after_commit=False)
    if created:
        services.process(worker, message)
    return message


def _inbox_for_shop(access: Any, shop: Shop) -> None:
    from shopadmin.customers import services as customers

    worker = services.worker_access()
    people = {}
    for first, last in (("Anna", "Schmidt"), ("Louis", "Martin"), ("Grace", "Hopper")):
        email = f"{first.lower()}.{last.lower()}.{shop.code.lower()}@demo.example"
        customer = customers.find_in_group(shop, email)
        if customer is None:
            return  # the orders demo did not run for this shop
        people[first] = (email, customer.id)
    in_progress = _order(access, people["Louis"][1], shop, "in_progress")
    pending = _order(access, people["Grace"][1], shop, "pending", blocked=False)
    blocked = _order(access, people["Anna"][1], shop, "pending", blocked=True)
    if in_progress is not None:
        _feed(access, worker, _mail(shop, people["Louis"][0], f"Order {in_progress.number}",
                                    f"Hello,\n\nwhere is my order {in_progress.number}?\n\nThanks,\nLouis", "status"))
    if pending is not None:
        _feed(access, worker, _mail(
            shop, people["Grace"][0], f"New address for {pending.number}",
            f"Hi there,\n\nI moved last week. Please ship order {pending.number} to this address instead:\n\n"
            "Grace Hopper\nKastanienallee 40\n10435 Berlin\nGermany\n\nThanks a lot,\nGrace", "address"))
    if blocked is not None:
        _feed(access, worker, _mail(shop, people["Anna"][0], f"Cancel {blocked.number}",
                                    f"Hello,\n\nplease cancel my order {blocked.number}.\n\nAnna", "cancel"))
    _feed(access, worker, _mail(shop, people["Louis"][0], "Purchase order",
                                "Hello,\n\nplease find our purchase order attached.\n\nRegards,\nLouis", "po",
                                ("order.csv", b"sku;quantity\nCHAIR-1;4\nTABLE-1;1\n")))
    rejected = _feed(access, worker, _mail(shop, people["Anna"][0], "Purchase order (test)",
                                           "Hello,\n\nattached a purchase order.\n\nAnna", "po-test",
                                           ("order.csv", b"sku;quantity\nCHAIR-1;40\n")))
    if rejected.review_state is not None and rejected.review_state.value == "pending":
        services.reject(access, rejected.id, note="A test order, Anna confirmed by phone.")
    _feed(access, worker, b"\x00\x01 demo junk that is not a mail \xff")


def load(ctx: DemoContext) -> None:
    """Idempotent: a shop whose inbox has messages already is left alone."""
    from shopadmin.inbox.models import InboxMessage

    for shop in db.session.scalars(sa.select(Shop).where(Shop.email.is_not(None)).order_by(Shop.id)).all():
        if db.session.scalar(sa.select(sa.func.count()).select_from(InboxMessage)
                             .where(InboxMessage.shop_id == shop.id)):
            continue
        _inbox_for_shop(ctx.access, shop)
    db.session.flush()
