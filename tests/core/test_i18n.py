"""Lazy domain error messages and the labels of stored values (ADR 0006)."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from shopadmin.core.errors import Conflict, Invalid
from shopadmin.core.i18n import choices, label, labels_of
from shopadmin.orders import services as order_services
from shopadmin.orders import statemachine as sm


def test_a_lazy_message_is_text_everywhere_and_formats_its_parameters() -> None:
    error = Invalid(_l("Unknown SKU %(sku)s.", sku="AB-1"), fields={"sku": [_l("Unknown SKU.")]})
    # no app at all (a script, a test): English, parameters filled in
    assert error.message == "Unknown SKU AB-1."
    assert str(error) == "Unknown SKU AB-1."
    assert error.plain_fields() == {"sku": ["Unknown SKU."]}
    assert all(type(text) is str for text in error.plain_fields()["sku"])
    assert error.explain() == "Unknown SKU AB-1. (sku: Unknown SKU.)"
    assert error.code == "validation_error"
    assert Conflict("plain text", code="duplicate").message == "plain text"


def test_messages_and_labels_follow_the_locale(app: Flask) -> None:
    error = Conflict(_l("This shop has disabled the customer."), code="customer_disabled")
    with app.test_request_context("/admin/"):
        with force_locale("de"):
            assert error.message == "Dieser Shop hat den Kunden gesperrt."
            assert label(sm.WAITING_PAYMENT, "order_state") == "Wartet auf Zahlung"
            assert render_template_string('{{ "waiting_payment"|label("order_state") }}') == "Wartet auf Zahlung"
        assert error.message == "This shop has disabled the customer."
        assert label(sm.WAITING_PAYMENT, "order_state") == "Waiting for payment"


def test_a_job_without_a_request_reads_messages_in_the_default_locale(app: Flask) -> None:
    with app.app_context():
        assert Conflict(_l("This shop has disabled the customer.")).message == "This shop has disabled the customer."


def test_the_label_filter_escapes_and_passes_unknown_values_through(app: Flask) -> None:
    with app.test_request_context("/admin/"):
        assert render_template_string('{{ v|label("order_state") }}', v="<b>new</b>") == "&lt;b&gt;new&lt;/b&gt;"
        assert render_template_string('{{ v|label("order_state") }}', v=None) == ""
        with pytest.raises(KeyError, match="no labels registered for 'order_stat'"):
            label("cart", "order_stat")


def test_every_stored_code_has_a_label(app: Flask) -> None:
    from shopadmin.inbox.models import InboxStatus, ReviewState
    from shopadmin.notifications.models import NotificationStatus
    from shopadmin.reports.models import RUN_STATUSES

    expected = {
        "order_state": set(sm.ORDER_STATES),
        "delivery_state": set(sm.DELIVERY_STATES),
        "channel": set(order_services.CHANNELS),
        "payment_flow": set(order_services.PAYMENT_FLOWS),
        "payment_status": {*order_services.PAYMENT_STATUSES, "refunded"},
        "notification_status": {s.value for s in NotificationStatus},
        "inbox_status": {s.value for s in InboxStatus},
        "review_state": {s.value for s in ReviewState},
        "report_run_status": set(RUN_STATUSES),
    }
    for kind, codes in expected.items():
        assert set(labels_of(kind)) == codes, kind
    with app.test_request_context("/admin/"):
        assert [code for code, _text in choices("payment_flow")] == list(order_services.PAYMENT_FLOWS)


def test_a_visitor_gets_labels_in_the_browsers_language(app: Flask) -> None:
    with app.test_request_context("/store/X/account", headers={"Accept-Language": "de-DE,de;q=0.9"}):
        html = render_template_string('{% for s in states %}{{ s|label("order_state") }};{% endfor %}',
                                      states=[sm.CART, sm.WAITING_PAYMENT])
    assert html == "Warenkorb;Wartet auf Zahlung;"
