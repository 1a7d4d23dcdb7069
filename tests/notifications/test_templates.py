"""Staff-edited templates: sandboxed, checked on save, never a broken mail."""

from __future__ import annotations

import pytest
from flask import Flask

from shopadmin.core.access import Role, system_access
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import Forbidden, Invalid
from shopadmin.notifications import services
from shopadmin.staff.services import access_for_user, get_user
from tests.factories import make_shop, make_user
from tests.notifications.conftest import Sink, body_text
from tests.notifications.test_inline import customer, mail_app, order  # noqa: F401 - fixture

PLATFORM = system_access("tests")


def save(shop_id: int, **fields: str) -> None:
    values = {"event": "order_placed", "locale": "en", "subject": "Order {{ order.number }}",
              "body_text": "Hi {{ customer.first_name }}", **fields}
    with unit_of_work(PLATFORM):
        services.save_template(PLATFORM, shop_id, **values)


def test_a_syntax_error_is_a_clear_error_naming_field_and_line(ctx: Flask) -> None:
    shop_id = make_shop(code="OWN")
    with pytest.raises(Invalid) as caught:
        save(shop_id, body_text="Hello\n{% for x in order.lines %}\nno end")
    assert caught.value.code == "template_syntax"
    assert "Line" in caught.value.fields["body_text"][0]


@pytest.mark.parametrize("attempt", [
    "{{ order.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ money.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{% set x = order.lines.append(1) %}",
])
def test_reaching_internals_is_refused(ctx: Flask, attempt: str) -> None:
    shop_id = make_shop(code="OWN")
    with pytest.raises(Invalid) as caught:
        save(shop_id, body_text=attempt)
    assert caught.value.code in {"template_unsafe", "template_error"}


def test_an_edited_template_is_used_in_its_locale_with_preview(mail_app: Flask, smtp: tuple[Sink, int]) -> None:  # noqa: F811
    sink, _ = smtp
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
        save(shop_id, locale="de", subject="Danke für {{ order.number }}",
             body_text="Summe {{ money(order.totals.total, currency) }}")
        with unit_of_work(PLATFORM):
            preview = services.preview(PLATFORM, shop_id, event="order_placed", locale="de")
        assert preview.subject == "Danke für SAMPLE-1001"
        with unit_of_work(PLATFORM):
            services.request_notification(PLATFORM, event="order_placed", shop_id=shop_id,
                                          payload={"order": order(currency="CHF"), "customer": customer()})
    [mail] = sink.messages
    assert mail["Subject"] == "Danke für A-1001"
    assert "CHF" in body_text(mail)


def test_a_template_failing_at_send_time_falls_back_to_the_default(mail_app: Flask, smtp: tuple[Sink, int]) -> None:  # noqa: F811
    sink, _ = smtp
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
        save(shop_id, locale="de", body_text="{{ 10 // payload.n if payload.n is defined }}")  # fine on sample data
        with unit_of_work(PLATFORM):
            services.request_notification(PLATFORM, event="order_placed", shop_id=shop_id,
                                          payload={"order": order(), "customer": customer(), "n": 0})
    [mail] = sink.messages
    assert mail["Subject"] == "Ihre Bestellung A-1001 bei Shop OWN"  # the shipped default


def test_only_managers_edit_templates_and_test_send(mail_app: Flask, smtp: tuple[Sink, int]) -> None:  # noqa: F811
    sink, _ = smtp
    with mail_app.app_context():
        shop_id = make_shop(code="OWN")
        csr = access_for_user(get_user(PLATFORM, make_user("csr@test.example", roles={"OWN": Role.CSR})))
        manager = access_for_user(get_user(PLATFORM, make_user("m@test.example", roles={"OWN": Role.MANAGER})))
        with pytest.raises(Forbidden), unit_of_work(csr):
            services.save_template(csr, shop_id, event="order_placed", locale="en", subject="x", body_text="y")
        with unit_of_work(manager):
            services.send_test(manager, shop_id, event="order_placed", locale="en", to="m@test.example")
    [mail] = sink.messages
    assert (mail["To"], mail["Subject"]) == ("m@test.example", "Your order SAMPLE-1001 at Shop OWN")
