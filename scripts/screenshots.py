"""Regenerate the README's screenshots from the demo data: ``.venv/bin/python scripts/screenshots.py``.

Builds a throwaway SQLite database, loads ``shopadmin demo``, serves the app on a free
local port and drives Debian's chromium (never ``playwright install``) through the
screens a user sees first: the dashboard, an order, and the storefront while staff
assists a customer (the banner). The PNGs go to ``docs/screenshots/``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from shopadmin import create_app  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PASSWORD = "demo-password"  # noqa: S105 - the demo logins, in a throwaway database
STAFF = "admin@demo.example"  # the superadmin: every shop, every currency on the dashboard

log = logging.getLogger("screenshots")


def build_app(database: Path) -> Flask:
    from flask_migrate import upgrade

    from shopadmin.demo import load_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SHOPADMIN_REDIS_URL": None,
                      "SECRET_KEY": "screenshots", "RATELIMIT_STORAGE_URI": "memory://",
                      "SHOPADMIN_CHEAP_PASSWORD_HASHING": True})
    with app.app_context():
        upgrade()
        load_demo(password=PASSWORD)
    return app


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def shoot_dashboard(page: Page, base: str, out: Path) -> None:
    page.goto(f"{base}/admin/")
    page.locator("canvas[data-drawn='1']").first.wait_for()
    page.screenshot(path=str(out / "dashboard.png"), full_page=True)


def shoot_order(page: Page, base: str, out: Path, app: Flask) -> None:
    import sqlalchemy as sa

    from shopadmin.core.access import system_access
    from shopadmin.core.db import unit_of_work
    from shopadmin.extensions import db
    from shopadmin.orders.models import Order

    with app.app_context(), unit_of_work(system_access("screenshots")):
        order_id = db.session.scalar(sa.select(Order.id).where(Order.state == "in_progress").order_by(Order.id))
    if order_id is None:
        log.warning("no demo order in progress: order screenshot skipped")
        return
    page.goto(f"{base}/admin/orders/details/?id={order_id}")
    page.screenshot(path=str(out / "order.png"), full_page=True)


def shoot_assistance(page: Page, base: str, out: Path, app: Flask) -> None:
    """Start assistance through the API, follow the hand-off link, photograph the banner."""
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"email": STAFF, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    customers: list[dict[str, Any]] = client.get("/api/v1/customers?q=", headers=headers).get_json()["items"]
    for customer in [c for c in customers if c.get("type") == "b2c"][:10]:  # the list omits consent: try
        for shop in customer.get("shops", []):
            answer = client.post(f"/api/v1/customers/{customer['id']}/assist", headers=headers,
                                 json={"shop": shop, "reason": "Customer asked for help on the phone"})
            if answer.status_code == 201:
                # The link was made for the test client's host: follow its path on the live server.
                parts = urlsplit(answer.get_json()["url"])
                page.goto(f"{base}{parts.path}" + (f"?{parts.query}" if parts.query else ""))
                confirm = page.get_by_role("button", name="Start assistance")
                if confirm.count():  # the hand-off asks the operator to confirm (a POST, not the GET)
                    confirm.click()
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / "storefront-assistance.png"), full_page=True)
                return
    log.warning("no customer allows assistance in the demo data: storefront screenshot skipped")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp) / "demo.db")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
                sign_in(page, base)
                shoot_dashboard(page, base, args.out)
                shoot_order(page, base, args.out, app)
                shoot_assistance(browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
                                 .new_page(), base, args.out, app)
                browser.close()
        finally:
            server.shutdown()
    for png in sorted(args.out.glob("*.png")):
        log.info("wrote %s", png.relative_to(ROOT) if png.is_relative_to(ROOT) else png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
