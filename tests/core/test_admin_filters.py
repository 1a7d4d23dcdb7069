"""The admin lists' choice filters (``core.admin.EnumFilter``): a value from the URL selects
the right rows; an unknown value is refused with a flash and the list shows unfiltered,
never a 500 or a logged ``KeyError`` (Flask-Admin's own enum filters wanted member names)."""

from __future__ import annotations

import logging
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.assistance.models import AssistanceSession, AssistanceStatus
from shopadmin.catalogue import services as catalogue
from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work
from shopadmin.customers import activities
from shopadmin.customers import services as customers
from shopadmin.extensions import db
from shopadmin.inbox import services as inbox
from shopadmin.inbox.models import InboxStatus, ReviewState
from shopadmin.notifications.models import NotificationStatus
from shopadmin.staff.models import User
from shopadmin.tenants import services as tenants
from tests.factories import login, world
from tests.inbox.factories import fresh_mail
from tests.notifications.factories import make_notification

PLATFORM = system_access("tests")


def _seed(app: Flask) -> None:
    ids = world(app)
    with app.app_context(), unit_of_work(PLATFORM):
        own = tenants.get_shop(PLATFORM, "OWN")
        for sku, availability in (("STD-A", "standard"), ("PRE-A", "preorder"), ("DIG-A", "digital")):
            catalogue.create_product(PLATFORM, own, catalogue.ProductInput(
                sku=sku, name=f"Product {sku}", price="5.00", availability=availability,
                release_date=date(2031, 1, 1) if availability == "preorder" else None))
        plain = customers.create_customer(PLATFORM, customers.CustomerInput(
            shop="OWN", email="plain@example.com", first_name="Plain", last_name="Person"))
        customers.create_customer(PLATFORM, customers.CustomerInput(
            shop="OWN", email="corp@example.com", company="Corpco", type="b2b"))
        activities.flag_alert(PLATFORM, plain, message="check this one")
        for subject, status in (("Mail in review", InboxStatus.REVIEW), ("Mail applied", InboxStatus.APPLIED)):
            message, _ = inbox.intake(PLATFORM, fresh_mail(app, "OWN").replace(b"Subject: Hello", b"Subject: " +
                                      subject.encode() + b" /"), source="tests", shop_code="OWN",
                                      process_after_commit=False)
            message.status = status
            message.review_state = ReviewState.PENDING if status is InboxStatus.REVIEW else None
        operator_id = db.session.scalar(sa.select(User.id).where(User.email == "csr@test.example"))
        for name, status in (("Refused Rita", AssistanceStatus.REFUSED), ("Ended Ed", AssistanceStatus.ENDED)):
            db.session.add(AssistanceSession(shop_id=ids["OWN"], operator_id=operator_id, status=status,
                                             customer_name=name, operator_name="csr"))
    with app.app_context():
        make_notification(ids["OWN"], status=NotificationStatus.FAILED, subject="Bounced mail")
        make_notification(ids["OWN"], status=NotificationStatus.SENT, subject="Delivered mail")


# (list URL, filter argument, a valid value, rows shown with it, rows hidden by it)
SCREENS = [
    ("/admin/inbox/", "flt0_0", "review", ["Mail in review"], ["Mail applied"]),
    ("/admin/inbox/", "flt0_1", "pending", ["Mail in review"], ["Mail applied"]),
    ("/admin/notifications/", "flt0_0", "failed", ["Bounced mail"], ["Delivered mail"]),
    ("/admin/notifications/", "flt0_1", "1", ["Bounced mail"], ["Delivered mail"]),
    ("/admin/notifications/", "flt0_1", "0", ["Delivered mail"], ["Bounced mail"]),
    ("/admin/customers/", "flt0_2", "b2b", ["Corpco"], ["Plain Person"]),
    ("/admin/customers/", "flt0_3", "1", ["Plain Person"], ["Corpco"]),
    ("/admin/customers/", "flt0_3", "0", ["Corpco"], ["Plain Person"]),
    ("/admin/shops/", "flt0_0", "b2b", ["Shop MASTER", "Shop SUB"], ["Shop OWN", "Shop OTHER"]),
    ("/admin/products/", "flt0_0", "preorder", ["PRE-A"], ["STD-A", "DIG-A"]),
    ("/admin/assistance_log/", "flt0_0", "refused", ["Refused Rita"], ["Ended Ed"]),
]


@pytest.fixture
def screen(app: Flask) -> FlaskClient:
    _seed(app)
    client = app.test_client()
    login(client, "super@test.example")
    return client


def _no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert not errors, [record.getMessage() for record in errors]


@pytest.mark.parametrize(("url", "arg", "value", "shown", "hidden"), SCREENS)
def test_a_valid_filter_value_selects_the_rows(screen: FlaskClient, caplog: pytest.LogCaptureFixture, url: str,
                                               arg: str, value: str, shown: list[str], hidden: list[str]) -> None:
    everything = screen.get(url).get_data(as_text=True)
    for text in shown + hidden:
        assert text in everything, (url, text)
    response = screen.get(f"{url}?{arg}={value}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in shown:
        assert text in page, (url, value, text)
    for text in hidden:
        assert text not in page, (url, value, text)
    assert "Invalid Filter Value" not in page
    _no_errors_logged(caplog)


@pytest.mark.parametrize("bad", ["nonsense", "REVIEW", "", "1; DROP TABLE shops"])
@pytest.mark.parametrize(("url", "arg", "value", "shown", "hidden"), SCREENS)
def test_an_unknown_filter_value_is_refused_with_a_flash(screen: FlaskClient, caplog: pytest.LogCaptureFixture,
                                                         url: str, arg: str, value: str, shown: list[str],
                                                         hidden: list[str], bad: str) -> None:
    response = screen.get(url, query_string={arg: bad})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Invalid Filter Value" in page
    for text in shown + hidden:  # the filter is dropped: every row is listed
        assert text in page, (url, bad, text)
    _no_errors_logged(caplog)


def test_the_filter_select_offers_translated_labels(app: Flask) -> None:
    from shopadmin.inbox.admin import InboxAdmin

    status_filter = InboxAdmin.column_filters[0]
    with app.test_request_context("/admin/inbox/", headers={"Accept-Language": "de"}):
        options = dict(status_filter.get_options(None))
        assert set(options) == {s.value for s in InboxStatus}
        assert str(options["review"]) != "review"  # the label, not the stored code
    assert status_filter.validate("review")
    assert not status_filter.validate("REVIEW")
    assert status_filter.clean("review") is InboxStatus.REVIEW
