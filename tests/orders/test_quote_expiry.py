"""Quote expiry: the ``expire`` event through the state machine, the periodic job and the
CLI, with the clock passed in; a quote being edited is left for later."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import system_access
from shopadmin.core.db import unit_of_work, utcnow
from shopadmin.core.jobs import PERIODIC_KEY
from shopadmin.orders import expiry, jobs
from tests.conftest import csrf_token_from
from tests.factories import login

VALID_UNTIL = date(2031, 3, 10)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _expire(app: Flask, now: datetime) -> expiry.ExpiryReport:
    with app.app_context():
        access = system_access("tests")
        with unit_of_work(access):
            return expiry.expire_quotes(access, now=now)


def _quote(place: Any, valid_until: date = VALID_UNTIL, role: str = "csr", **extra: Any) -> dict[str, Any]:
    return place(role, quote=True, quote_valid_until=valid_until.isoformat(), **extra)


def test_a_quote_expires_the_day_after_its_valid_until(app: Flask, client: FlaskClient, place: Any,
                                                       token: Any) -> None:
    quote = _quote(place)
    cart = place("csr", cart=True)
    open_ended = place("csr", quote=True)  # no valid-until: never expires
    later = _quote(place, VALID_UNTIL + timedelta(days=5))
    # The shop (OWN) is in Berlin, UTC+1 in March: its last day ends at 23:00 UTC.
    assert _expire(app, _at(VALID_UNTIL, 22)).expired == []  # 23:00 in Berlin: still its last day
    report = _expire(app, _at(VALID_UNTIL, 23))  # midnight in Berlin, still the 10th in UTC
    assert report.expired == [quote["number"]]
    headers = token("csr")
    body = client.get(f"/api/v1/orders/{quote['id']}", headers=headers).get_json()
    assert body["state"] == "cancelled"
    assert body["version"] == quote["version"] + 1
    for other in (cart, open_ended, later):
        assert client.get(f"/api/v1/orders/{other['id']}", headers=headers).get_json()["state"] == other["state"]
    history = client.get(f"/api/v1/orders/{quote['id']}/events", headers=headers).get_json()["items"]
    assert history[0]["event"] == "expire"
    assert (history[0]["from"], history[0]["to"]) == ("quote", "cancelled")
    assert any("quoted prices no longer held (valid until 2031-03-10)" in e for e in history[0]["effects"])
    versions = client.get(f"/api/v1/orders/{quote['id']}/versions", headers=headers).get_json()["items"]
    assert versions[0]["reason"] == "event: expire"
    assert {"field": "state", "from": "quote", "to": "cancelled"} in versions[0]["changes"]
    # a second run finds nothing; the cancelled quote can no longer be submitted
    assert _expire(app, _at(VALID_UNTIL + timedelta(days=2))).expired == []
    refused = client.post(f"/api/v1/orders/{quote['id']}/events", json={"event": "submit"}, headers=headers)
    assert refused.status_code == 409


def test_expire_is_the_systems_event(client: FlaskClient, place: Any, token: Any) -> None:
    quote = _quote(place, date(2020, 1, 1))
    response = client.post(f"/api/v1/orders/{quote['id']}/events", json={"event": "expire"},
                           headers=token("owner"))
    assert response.status_code == 409
    assert response.get_json()["error"]["fields"]["reason"] == "system_only"
    actions = {a["event"] for a in client.get(f"/api/v1/orders/{quote['id']}", headers=token("csr"))
               .get_json()["actions"]}
    assert "expire" not in actions


def test_staff_access_expires_only_its_shops(app: Flask, place: Any, as_user: Any) -> None:
    own = _quote(place)
    other = _quote(place, role="super", shop="OTHER")
    access = as_user("csr@test.example")
    with unit_of_work(access):
        report = expiry.expire_quotes(access, now=_at(VALID_UNTIL + timedelta(days=1)))
    assert report.expired == [own["number"]]
    assert other["number"] not in report.expired


def test_a_quote_being_edited_waits_for_the_editor(app: Flask, client: FlaskClient, place: Any, token: Any) -> None:
    yesterday = utcnow().date() - timedelta(days=1)
    quote = _quote(place, yesterday)
    screen = app.test_client()
    login(screen, "csr@test.example")
    form = screen.get(f"/admin/orders/edit/?id={quote['id']}").get_data(as_text=True)  # takes the lease
    report = _expire(app, utcnow() + timedelta(minutes=1))
    assert report.expired == []
    assert report.deferred == [quote["number"]]
    # the CSR walks away: the lease runs out and the next run expires it
    report = _expire(app, utcnow() + timedelta(minutes=16))
    assert report.expired == [quote["number"]]
    # their form, still at the old version, is refused with the newer version shown
    line_id = quote["lines"][0]["id"]
    stale = screen.post(f"/admin/orders/edit/?id={quote['id']}", data={
        "csrf_token": csrf_token_from(form), "version": str(quote["version"]), f"qty-{line_id}": "3"})
    page = stale.get_data(as_text=True)
    assert "meanwhile" in page
    assert 'data-testid="stale-warning"' in page
    assert client.get(f"/api/v1/orders/{quote['id']}", headers=token("csr")).get_json()["lines"][0]["quantity"] == 2


def test_dry_run_of_expire_says_what_it_releases(app: Flask, place: Any, as_user: Any) -> None:
    from shopadmin.orders import services, workflow

    quote = _quote(place)
    access = system_access("tests")
    with unit_of_work(access):
        order = services.get_order(access, quote["id"])
        early = workflow.fire_order_event(access, order, "expire", system=True, dry_run=True, on=VALID_UNTIL)
        assert not early.decision.allowed
        assert early.decision.reason == "quote_still_valid"
        due = workflow.fire_order_event(access, order, "expire", system=True, dry_run=True,
                                        on=VALID_UNTIL + timedelta(days=1))
        assert due.decision.allowed
        assert "quoted prices no longer held (valid until 2031-03-10)" in due.effects
        assert "order: quote → cancelled" in due.effects
        assert order.state == "quote"


def test_cli_and_periodic_job(app: Flask, runner: Any, place: Any) -> None:
    quote = _quote(place)
    early = runner.invoke(args=["orders", "expire-quotes", "--now", "2031-03-10T12:00:00+00:00"])
    assert early.exit_code == 0, early.output
    assert "Expired 0 quotes" in early.output
    late = runner.invoke(args=["orders", "expire-quotes", "--now", "2031-03-10T23:30:00+01:00"])
    assert "Expired 0 quotes" in late.output  # still March 10 where the shop is (Berlin)
    done = runner.invoke(args=["orders", "expire-quotes", "--now", "2031-03-11T00:30:00+01:00"])
    assert done.exit_code == 0, done.output  # March 11 in Berlin, though still the 10th in UTC
    assert f"Expired 1 quotes: {quote['number']}" in done.output
    for bad in ("tomorrow", "2031-03-11T00:30:00"):
        refused = runner.invoke(args=["orders", "expire-quotes", "--now", bad])
        assert refused.exit_code != 0
        assert "--now" in refused.output
    assert any(p.task == "shopadmin.orders.jobs:expire_quotes" for p in app.extensions[PERIODIC_KEY])
    past = _quote(place, date(2020, 1, 1))
    with app.app_context():
        assert jobs.expire_quotes() == 1
    assert past["number"] != quote["number"]


def test_extending_a_quote_on_the_edit_screen_saves_it_from_expiry(app: Flask, client: FlaskClient, place: Any,
                                                                   token: Any) -> None:
    quote = _quote(place, VALID_UNTIL)
    screen = app.test_client()
    login(screen, "csr@test.example")
    form = screen.get(f"/admin/orders/edit/?id={quote['id']}").get_data(as_text=True)
    assert 'value="2031-03-10"' in form
    line_id = quote["lines"][0]["id"]
    data = {"csrf_token": csrf_token_from(form), "version": str(quote["version"]), f"qty-{line_id}": "2"}
    bad = screen.post(f"/admin/orders/edit/?id={quote['id']}", data={**data, "valid_until": "31.03.2031"})
    assert "A date such as 2031-01-31." in bad.get_data(as_text=True)
    saved = screen.post(f"/admin/orders/edit/?id={quote['id']}", follow_redirects=True,
                        data={**data, "valid_until": "2031-04-30", "reason": "customer asked for time"})
    text = saved.get_data(as_text=True)
    assert "Saved as version 2" in text
    assert "Quote valid until: 2031-03-10 → 2031-04-30" in text
    assert _expire(app, _at(date(2031, 4, 30))).expired == []
    assert _expire(app, _at(date(2031, 5, 1))).expired == [quote["number"]]
    assert client.get(f"/api/v1/orders/{quote['id']}", headers=token("csr")).get_json()["state"] == "cancelled"


def test_an_orders_day_is_the_shops_day() -> None:
    """Quote and release dates are the shop's calendar days (workflow.today, one place)."""
    from types import SimpleNamespace

    from shopadmin.orders import workflow

    moment = datetime(2031, 3, 10, 23, 30, tzinfo=UTC)
    assert workflow.today(SimpleNamespace(timezone="Europe/Berlin"), moment) == date(2031, 3, 11)
    assert workflow.today(SimpleNamespace(timezone="America/New_York"), moment) == date(2031, 3, 10)
    assert workflow.today(None, moment) == date(2031, 3, 10)
