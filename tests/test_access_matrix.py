"""The access matrix: every route, every role, own shop / sub-shop of own master / other shop.

The project's proof of tenant isolation. Each row names the lowest role that may use a
route (``SUPER``: superadmins only; ``ANY``: any signed-in user). From it the expected
answer of every cell follows from the contract:

* own shop and sub-shop of the caller's master: allowed (2xx, or a page) if the role is
  high enough, else 403;
* another shop: 404, the same answer as for an id that was never used;
* no credentials: 401 on the API, a redirect to the login page on screens.

``test_every_route_is_in_the_matrix`` fails when a route is added without a row here.
Later issues add their rows to ``ROUTES``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shopadmin.core.access import Role
from tests.assistance.factories import matrix_records as assistance_matrix_records
from tests.customers.factories import fresh_attribute_body, fresh_customer_body, matrix_records
from tests.factories import api_token, login, make_user, world
from tests.inbox.factories import fresh_mail
from tests.inbox.factories import matrix_records as inbox_matrix_records
from tests.orders.factories import fresh_order_body, fresh_product_body, hand_over_body
from tests.orders.factories import matrix_records as order_matrix_records

SUPER = "superadmin"
ANY = "any"
TARGETS = ("own", "sub", "other")
TARGET_SHOP = {"own": "OWN", "sub": "SUB", "other": "OTHER"}
CALLERS = [role.label for role in Role]

_counter = itertools.count()


def _fresh_member_body(app: Flask, shop: str) -> dict[str, Any]:
    email = f"new{next(_counter)}@test.example"
    with app.app_context():
        make_user(email)
    return {"email": email, "role": "csr", "override_limit_pct": "5"}


def _fresh_tax_rule(app: Flask, shop: str) -> dict[str, Any]:
    n = next(_counter)
    return {"country": "DE", "region": f"R{n}", "tax_class": "standard", "rate": "0.19"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {shop}: the target shop code; {shop_id}, {member_id}, {tax_rule_id}: its records
    lowest: Role | str
    endpoint: str
    body: Callable[[Flask, str], dict[str, Any]] | dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    per_shop: bool = True  # False: the route names no shop, so there is no "other shop" cell
    screen: bool = False  # an admin page (session cookie) rather than the API


ROUTES: list[Route] = [
    # -- API: shops, tax rules, members, users --------------------------------------------
    Route("GET", "/api/v1/shops", ANY, "shops_api.Shops", per_shop=False),
    Route("GET", "/api/v1/shops/{shop}", Role.CSR, "shops_api.ShopByCode"),
    Route("PATCH", "/api/v1/shops/{shop}", Role.MANAGER, "shops_api.ShopByCode",
          body={"timezone": "Europe/Paris"}, headers={"If-Match": "*"}),
    Route("GET", "/api/v1/shops/{shop}/tax-rules", Role.CSR, "shops_api.TaxRules"),
    Route("POST", "/api/v1/shops/{shop}/tax-rules", Role.MANAGER, "shops_api.TaxRules", body=_fresh_tax_rule),
    Route("GET", "/api/v1/shops/{shop}/members", Role.OWNER, "staff_api.Members"),
    Route("POST", "/api/v1/shops/{shop}/members", Role.OWNER, "staff_api.Members", body=_fresh_member_body),
    Route("POST", "/api/v1/users", SUPER, "staff_api.Users", per_shop=False,
          body=lambda app, shop: {"email": f"u{next(_counter)}@test.example", "password": "long-enough-1"}),
    Route("GET", "/api/v1/users/me", ANY, "staff_api.Me", per_shop=False),
    Route("GET", "/api/v1/users/{member_user_id}", Role.OWNER, "staff_api.UserById"),
    Route("DELETE", "/api/v1/tokens/current", ANY, "staff_api.CurrentToken", per_shop=False),
    # -- API: customers -----------------------------------------------------------------------
    Route("GET", "/api/v1/customers?q=test", Role.CSR, "customers_api.Customers", per_shop=False),
    Route("POST", "/api/v1/customers", Role.CSR, "customers_api.Customers", body=fresh_customer_body),
    Route("GET", "/api/v1/customers/{customer_id}", Role.CSR, "customers_api.CustomerById"),
    Route("PATCH", "/api/v1/customers/{customer_id}", Role.CSR, "customers_api.CustomerById",
          body={"phone": "+49 30 1"}, headers={"If-Match": "*"}),
    Route("POST", "/api/v1/customers/{customer_id}/shops", Role.CSR, "customers_api.Registrations",
          body=lambda app, shop: {"shop": shop}),
    Route("PATCH", "/api/v1/customers/{customer_id}/shops/{shop}", Role.SUPERVISOR, "customers_api.Registration",
          body={"disabled": False}),
    Route("GET", "/api/v1/customers/{customer_id}/activities", Role.CSR, "customers_api.Activities"),
    Route("POST", "/api/v1/customers/{customer_id}/activities", Role.CSR, "customers_api.Activities",
          body={"kind": "call", "body": "Called", "result_code": "no_answer"}),
    Route("GET", "/api/v1/customers/{customer_id}/alerts", Role.CSR, "customers_api.Alerts"),
    Route("POST", "/api/v1/customers/{customer_id}/alerts", Role.CSR, "customers_api.Alerts",
          body={"message": "Look"}),
    Route("POST", "/api/v1/customers/{customer_id}/alerts/{alert_id}/clear", Role.SUPERVISOR,
          "customers_api.AlertClear", body={}),
    Route("GET", "/api/v1/customers/{customer_id}/notes", Role.CSR, "customers_api.PrivateNotes"),
    Route("PUT", "/api/v1/customers/{customer_id}/notes/{shop}", Role.CSR, "customers_api.PrivateNote",
          body={"notes": "Internal"}),
    Route("GET", "/api/v1/shops/{shop}/activity-codes", Role.CSR, "customers_api.ActivityCodes"),
    Route("PUT", "/api/v1/shops/{shop}/activity-codes", Role.MANAGER, "customers_api.ActivityCodes",
          body={"result": [{"code": "ok", "label": "OK"}]}),
    Route("GET", "/api/v1/shops/{shop}/customer-attributes", Role.CSR, "customers_api.AttributeDefinitions"),
    Route("POST", "/api/v1/shops/{shop}/customer-attributes", Role.MANAGER, "customers_api.AttributeDefinitions",
          body=fresh_attribute_body),
    Route("DELETE", "/api/v1/shops/{shop}/customer-attributes/{attribute}", Role.MANAGER,
          "customers_api.AttributeDefinitionByName"),
    # -- API: notifications ----------------------------------------------------------------
    Route("GET", "/api/v1/notifications", Role.CSR, "notifications_api.Notifications", per_shop=False),
    Route("GET", "/api/v1/notifications/{notification_id}", Role.CSR, "notifications_api.NotificationById"),
    Route("POST", "/api/v1/notifications/{notification_id}/retry", Role.SUPERVISOR,
          "notifications_api.NotificationRetry"),
    Route("POST", "/api/v1/orders/{order_id}/emails", Role.CSR, "notifications_api.OrderEmails",
          body={"subject": "About your order", "body_text": "Hello"}),
    Route("POST", "/api/v1/orders/{order_id}/resend-confirmation", Role.CSR,
          "notifications_api.OrderResendConfirmation"),
    Route("POST", "/api/v1/customers/{order_customer_id}/emails", Role.CSR, "notifications_api.CustomerEmails",
          body={"template": "custom", "subject": "Hello", "body_text": "Hi {{ customer.first_name }}"}),
    # -- notification screens --------------------------------------------------------------
    Route("GET", "/admin/notifications/", Role.CSR, "notifications.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/notifications/details/?id={notification_id}", Role.CSR, "notifications.details_view",
          screen=True),
    Route("GET", "/admin/notifications/retry/?id={notification_id}", Role.SUPERVISOR, "notifications.retry_view",
          screen=True),
    Route("GET", "/admin/notifications/dismiss/?id={notification_id}", Role.SUPERVISOR,
          "notifications.dismiss_view", screen=True),
    Route("GET", "/admin/notifications/compose/?order_id={order_id}", Role.CSR, "notifications.compose_view",
          screen=True),
    Route("GET", "/admin/notifications/compose/?customer_id={order_customer_id}", Role.CSR,
          "notifications.compose_view", screen=True),
    Route("GET", "/admin/notifications/resend/?order_id={order_id}", Role.CSR, "notifications.resend_view",
          screen=True),
    Route("GET", "/admin/notification_templates/", Role.MANAGER, "notification_templates.index_view",
          per_shop=False, screen=True),
    Route("GET", "/admin/notification_templates/new/", Role.MANAGER, "notification_templates.create_view",
          per_shop=False, screen=True),
    Route("GET", "/admin/notification_templates/edit/?id={template_id}", Role.MANAGER,
          "notification_templates.edit_view", screen=True),
    Route("GET", "/admin/notification_settings/", Role.MANAGER, "notification_settings.index_view",
          per_shop=False, screen=True),
    Route("GET", "/admin/notification_settings/new/", Role.MANAGER, "notification_settings.create_view",
          per_shop=False, screen=True),
    Route("GET", "/admin/notification_settings/edit/?id={settings_id}", Role.MANAGER,
          "notification_settings.edit_view", screen=True),
    # -- API and screens: the inbox worker ------------------------------------------------------
    Route("POST", "/api/v1/inbox/messages?shop={shop}", Role.CSR, "inbox_api.Messages", body=fresh_mail),
    Route("GET", "/api/v1/inbox/messages", Role.CSR, "inbox_api.Messages", per_shop=False),
    Route("GET", "/api/v1/inbox/messages/{inbox_message_id}", Role.CSR, "inbox_api.MessageById"),
    Route("PATCH", "/api/v1/inbox/messages/{inbox_message_id}", Role.SUPERVISOR, "inbox_api.MessageById",
          body={"note": "matrix"}),
    Route("POST", "/api/v1/inbox/messages/{inbox_message_id}/approve", Role.SUPERVISOR, "inbox_api.Approve",
          body={"dry_run": True}),
    Route("POST", "/api/v1/inbox/messages/{inbox_message_id}/reject", Role.SUPERVISOR, "inbox_api.Reject",
          body={"dry_run": True}),
    Route("GET", "/api/v1/inbox/kpis", Role.CSR, "inbox_api.Kpis", per_shop=False),
    Route("GET", "/admin/inbox/", Role.CSR, "inbox.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/inbox/details/?id={inbox_message_id}", Role.CSR, "inbox.details_view", screen=True),
    Route("GET", "/admin/inbox/review/?id={inbox_message_id}", Role.SUPERVISOR, "inbox.review_view", screen=True),
    # -- API: catalogue and orders ------------------------------------------------------------
    Route("GET", "/api/v1/shops/{shop}/products", Role.CSR, "catalogue_api.Products"),
    Route("POST", "/api/v1/shops/{shop}/products", Role.MANAGER, "catalogue_api.Products", body=fresh_product_body),
    Route("GET", "/api/v1/shops/{shop}/products/{sku}", Role.CSR, "catalogue_api.ProductBySku"),
    Route("PATCH", "/api/v1/shops/{shop}/products/{sku}", Role.MANAGER, "catalogue_api.ProductBySku",
          body={"name": "Renamed"}),
    Route("GET", "/api/v1/shops/{shop}/stock/{sku}", Role.CSR, "catalogue_api.Stock"),
    Route("PUT", "/api/v1/shops/{shop}/stock/{sku}", Role.MANAGER, "catalogue_api.Stock",
          body={"warehouse": "MAIN", "quantity": 900}),
    Route("GET", "/api/v1/orders", Role.CSR, "orders_api.Orders", per_shop=False),
    Route("POST", "/api/v1/orders", Role.CSR, "orders_api.Orders", body=fresh_order_body),
    Route("GET", "/api/v1/orders/{order_id}", Role.CSR, "orders_api.OrderById"),
    Route("PATCH", "/api/v1/orders/{order_id}", Role.CSR, "orders_api.OrderById",
          body={"attributes": {"po": "7"}, "reason": "matrix"}, headers={"If-Match": "*"}),
    Route("GET", "/api/v1/orders/{order_id}/events", Role.CSR, "orders_api.OrderEvents"),
    Route("POST", "/api/v1/orders/{order_id}/events", Role.CSR, "orders_api.OrderEvents",
          body={"event": "suspend", "dry_run": True}),
    Route("POST", "/api/v1/orders/{order_id}/deliveries/{delivery_id}/events", Role.CSR,
          "orders_api.DeliveryEvents", body={"event": "pack", "dry_run": True}),
    Route("POST", "/api/v1/orders/{order_id}/blocks", Role.CSR, "orders_api.Blocks", body={"reason": "check"}),
    Route("DELETE", "/api/v1/orders/{order_id}/blocks/{block_id}", Role.SUPERVISOR, "orders_api.BlockById"),
    Route("GET", "/api/v1/orders/{order_id}/payments", Role.CSR, "orders_api.Payments"),
    Route("POST", "/api/v1/orders/{order_id}/payments", Role.CSR, "orders_api.Payments",
          body={"method": "cash", "amount": "1.00", "status": "authorized"}),
    Route("GET", "/api/v1/orders/{order_id}/versions", Role.CSR, "orders_api.Versions"),
    Route("GET", "/api/v1/orders/{order_id}/versions/1", Role.CSR, "orders_api.VersionByNumber"),
    Route("GET", "/api/v1/orders/{order_id}/comments", Role.CSR, "orders_api.Comments"),
    Route("POST", "/api/v1/orders/{order_id}/comments", Role.CSR, "orders_api.Comments",
          body={"text": "Matrix comment"}),
    Route("POST", "/api/v1/orders/{order_id}/clone", Role.CSR, "orders_api.Clone"),
    Route("POST", "/api/v1/orders/{cart_id}/hand-over", Role.CSR, "orders_api.HandOver", body=hand_over_body),
    # -- order and catalogue screens -----------------------------------------------------------
    Route("GET", "/admin/orders/?search=ann", Role.CSR, "orders.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/orders/?worklist=blocked", Role.CSR, "orders.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/orders/details/?id={order_id}", Role.CSR, "orders.details_view", screen=True),
    Route("GET", "/admin/orders/edit/?id={order_id}", Role.CSR, "orders.edit_view", screen=True),
    Route("GET", "/admin/orders/new/", Role.CSR, "orders.create_view", per_shop=False, screen=True),
    # From the customer page: the shop and the customer preselected (another shop's: 404).
    Route("GET", "/admin/orders/new/?shop={shop_id}&customer_id={order_customer_id}", Role.CSR,
          "orders.create_view", screen=True),
    # The capture screen's lookups (JSON), scoped to the shop named: another shop's is 404.
    Route("GET", "/admin/orders/lookup/customers/?shop={shop_id}&q=matrix", Role.CSR,
          "orders.customer_lookup_view", screen=True),
    Route("GET", "/admin/orders/lookup/products/?shop={shop_id}&q=M", Role.CSR, "orders.product_lookup_view",
          screen=True),
    Route("GET", "/admin/orders/version/?id={order_id}&n=1", Role.CSR, "orders.version_view", screen=True),
    Route("GET", "/admin/orders/event/?id={order_id}", Role.CSR, "orders.event_view", screen=True),
    Route("GET", "/admin/orders/block/?id={order_id}", Role.CSR, "orders.block_view", screen=True),
    Route("GET", "/admin/orders/release_block/?id={order_id}", Role.SUPERVISOR, "orders.release_block_view",
          screen=True),
    Route("GET", "/admin/orders/comment/?id={order_id}", Role.CSR, "orders.comment_view", screen=True),
    Route("GET", "/admin/orders/hand_over/?id={cart_id}", Role.CSR, "orders.hand_over_view", screen=True),
    Route("GET", "/admin/products/", Role.CSR, "products.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/products/details/?id={product_id}", Role.CSR, "products.details_view", screen=True),
    Route("GET", "/admin/products/edit/?id={product_id}", Role.MANAGER, "products.edit_view", screen=True),
    Route("GET", "/admin/products/new/", Role.MANAGER, "products.create_view", per_shop=False, screen=True),
    Route("GET", "/admin/stock/", Role.CSR, "stock.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/stock/details/?id={stock_id}", Role.CSR, "stock.details_view", screen=True),
    Route("GET", "/admin/stock/edit/?id={stock_id}", Role.MANAGER, "stock.edit_view", screen=True),
    # -- admin screens -----------------------------------------------------------------------
    Route("GET", "/admin/", ANY, "admin.index", per_shop=False, screen=True),
    Route("GET", "/admin/shops/", Role.CSR, "shops.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/shops/details/?id={shop_id}", Role.CSR, "shops.details_view", screen=True),
    Route("GET", "/admin/shops/edit/?id={shop_id}", Role.MANAGER, "shops.edit_view", screen=True),
    Route("GET", "/admin/tax_rules/", Role.CSR, "tax_rules.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/tax_rules/details/?id={tax_rule_id}", Role.CSR, "tax_rules.details_view", screen=True),
    Route("GET", "/admin/tax_rules/new/", Role.MANAGER, "tax_rules.create_view", per_shop=False, screen=True),
    Route("GET", "/admin/memberships/", Role.OWNER, "memberships.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/memberships/details/?id={member_id}", Role.OWNER, "memberships.details_view",
          screen=True),
    Route("GET", "/admin/memberships/edit/?id={member_id}", Role.OWNER, "memberships.edit_view", screen=True),
    Route("GET", "/admin/memberships/new/", Role.OWNER, "memberships.create_view", per_shop=False, screen=True),
    Route("GET", "/admin/users/", Role.OWNER, "users.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/users/details/?id={member_user_id}", Role.OWNER, "users.details_view", screen=True),
    # -- customer screens --------------------------------------------------------------------------
    Route("GET", "/admin/customers/?search=test", Role.CSR, "customers.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/customers/details/?id={customer_id}", Role.CSR, "customers.details_view", screen=True),
    Route("GET", "/admin/customers/edit/?id={customer_id}", Role.CSR, "customers.edit_view", screen=True),
    Route("GET", "/admin/customers/new/", Role.CSR, "customers.create_view", per_shop=False, screen=True),
    Route("GET", "/admin/customers/activity/?id={customer_id}", Role.CSR, "customers.activity_view", screen=True),
    Route("GET", "/admin/customers/alert/?id={customer_id}", Role.CSR, "customers.alert_view", screen=True),
    Route("GET", "/admin/customers/alert/clear/?id={customer_id}&alert_id={alert_id}", Role.SUPERVISOR,
          "customers.clear_alert_view", screen=True),
    Route("GET", "/admin/customers/address/?id={customer_id}", Role.CSR, "customers.address_view", screen=True),
    Route("GET", "/admin/customers/register/?id={customer_id}", Role.CSR, "customers.register_view", screen=True),
    Route("GET", "/admin/customers/notes/?id={customer_id}", Role.CSR, "customers.notes_view", screen=True),
    Route("GET", "/admin/customers/export.csv", Role.MANAGER, "customers.export_csv", per_shop=False, screen=True),
    Route("GET", "/admin/activity_codes/", Role.CSR, "activity_codes.index_view", per_shop=False, screen=True),
    Route("GET", "/admin/activity_codes/new/", Role.MANAGER, "activity_codes.create_view", per_shop=False,
          screen=True),
    Route("GET", "/admin/customer_attributes/", Role.CSR, "customer_attributes.index_view", per_shop=False,
          screen=True),
    Route("GET", "/admin/customer_attributes/details/?id={attribute_id}", Role.CSR,
          "customer_attributes.details_view", screen=True),
    Route("GET", "/admin/customer_attributes/new/", Role.MANAGER, "customer_attributes.create_view",
          per_shop=False, screen=True),
    # -- reports ------------------------------------------------------------------------------------
    Route("GET", "/admin/reports/", Role.MANAGER, "reports.index", per_shop=False, screen=True),
    Route("GET", "/admin/reports/inventory/?shop={shop}", Role.MANAGER, "reports.report_view", screen=True),
    Route("GET", "/admin/reports/deliveries/?shop={shop}&format=csv", Role.MANAGER, "reports.report_view",
          screen=True),
    Route("GET", "/admin/reports/runs/", Role.MANAGER, "reports.runs_view", per_shop=False, screen=True),
    # -- import and export ----------------------------------------------------------------------------
    Route("GET", "/admin/exchange/", Role.MANAGER, "exchange.index", per_shop=False, screen=True),
    # Background imports belong to the uploader (another user's run: 404, tests/exchange/test_import_runs.py).
    Route("GET", "/admin/exchange/runs/", Role.MANAGER, "exchange.runs_view", per_shop=False, screen=True),
    Route("GET", "/admin/exchange/export?what=orders&format=csv&shop={shop}", Role.MANAGER, "exchange.export_view",
          screen=True),
    # -- customer assistance (issue 6) ------------------------------------------------------------
    Route("POST", "/api/v1/customers/{assist_customer_id}/assist", Role.CSR, "assistance_api.Assist",
          body=lambda app, shop: {"shop": shop, "reason": "matrix", "reason_code": "order_help"}),
    Route("GET", "/admin/assistance/", ANY, "assistance.index", per_shop=False, screen=True),
    Route("GET", "/admin/assistance/start/?customer_id={assist_customer_id}", Role.CSR, "assistance.start_view",
          screen=True),
    Route("GET", "/admin/assistance_log/", Role.SUPERVISOR, "assistance_log.index_view", per_shop=False,
          screen=True),
    Route("GET", "/admin/assistance_log/details/?id={assistance_session_id}", Role.SUPERVISOR,
          "assistance_log.details_view", screen=True),
    Route("GET", "/admin/assistance_log/export.csv", Role.MANAGER, "assistance_log.export_csv", per_shop=False,
          screen=True),
    Route("GET", "/admin/assistance_settings/", Role.MANAGER, "assistance_settings.index_view", per_shop=False,
          screen=True),
    Route("GET", "/admin/assistance_settings/details/?id={assistance_settings_id}", Role.MANAGER,
          "assistance_settings.details_view", screen=True),
    Route("GET", "/admin/assistance_settings/edit/?id={assistance_settings_id}", Role.MANAGER,
          "assistance_settings.edit_view", screen=True),
    Route("GET", "/admin/assistance_settings/new/", Role.MANAGER, "assistance_settings.create_view",
          per_shop=False, screen=True),
    Route("GET", "/admin/protected_customers/", Role.MANAGER, "protected_customers.index_view", per_shop=False,
          screen=True),
    Route("GET", "/admin/protected_customers/details/?id={protected_id}", Role.MANAGER,
          "protected_customers.details_view", screen=True),
    Route("GET", "/admin/protected_customers/new/", Role.MANAGER, "protected_customers.create_view",
          per_shop=False, screen=True),
]

# Routes that need no access decision of their own (public, or served by a library).
EXEMPT = {
    "static", "admin.static", "health.healthz", "auth.login", "auth.logout", "api-docs.openapi_json",
    "staff_api.Tokens",
    # POST only (GET answers 405); the same checks as assistance.start_view, whose row is above.
    # tests/assistance/test_login_as.py covers its 404 (another shop) and its CSRF check.
    "assistance.begin_view",
}
# The storefront (/store/<shop>/): customer-facing, never a staff session. Its isolation
# (another customer's order, another shop's cookie, staff sessions ignored) is tested in
# tests/storefront/ and tests/assistance/.
EXEMPT |= {
    f"storefront.{name}" for name in (
        "sign_in", "sign_out", "forgot_password", "reset_password", "assist", "end_assistance", "catalogue",
        "add_to_cart", "cart", "remove_from_cart", "checkout", "park_cart", "transfer_cart", "account",
        "update_profile", "change_password", "add_address", "delete_address", "default_address", "order_detail",
        "answer_quote",
    )
}
# Flask-Admin's generic endpoints share the checks of their view (ScopedModelView), so the
# matrix samples list, details, edit and create per view rather than every endpoint.
ADMIN_GENERIC = ("action_view", "ajax_lookup", "ajax_update", "delete_view", "export", "create_view",
                 "edit_view", "details_view")


def expected(route: Route, caller: str, target: str) -> str:
    if caller == SUPER:
        return "ok"
    if route.per_shop and target == "other":
        return "not_found"
    if route.lowest == ANY:
        return "ok"
    if route.lowest == SUPER:
        return "forbidden"
    return "ok" if Role[caller.upper()] >= route.lowest else "forbidden"


def outcome(status: int) -> str:
    if status in (200, 201, 204, 302) and status != 302:
        return "ok"
    return {403: "forbidden", 404: "not_found", 401: "unauthenticated", 302: "redirect"}.get(status, str(status))


@pytest.fixture
def matrix_world(app: Flask) -> dict[str, Any]:
    """Per target shop: its code and id, a tax rule, and a member who belongs only there."""
    from shopadmin.core.access import system_access
    from shopadmin.core.db import unit_of_work
    from shopadmin.staff import services as staff
    from shopadmin.tenants.services import add_tax_rule, get_shop
    from tests.notifications.factories import make_notification, make_settings, make_template

    world(app)
    platform = system_access("tests")
    records: dict[str, dict[str, Any]] = {}
    with app.app_context():
        for target, code in TARGET_SHOP.items():
            make_user(f"member-{target}@test.example")
            with unit_of_work(platform):
                shop = get_shop(platform, code)
                rule = add_tax_rule(platform, shop, country="FR", region=None, tax_class="standard", rate="0.2")
                member = staff.add_member(platform, shop, email=f"member-{target}@test.example", role="csr")
                records[target] = {"shop": code, "shop_id": shop.id, "tax_rule_id": rule.id,
                                   "member_id": member.id, "member_user_id": member.user_id}
            records[target].update(matrix_records(app, code))
            records[target].update(order_matrix_records(app, code))
            records[target].update(inbox_matrix_records(app, code, records[target]))
            records[target].update(assistance_matrix_records(app, code))
            records[target]["notification_id"] = make_notification(records[target]["shop_id"])
            with app.app_context():
                records[target]["template_id"] = make_template(records[target]["shop_id"])
                records[target]["settings_id"] = make_settings(records[target]["shop_id"])
    return records


def _payload(body: Any) -> dict[str, Any]:
    """JSON, or a raw email (the inbox takes ``message/rfc822``)."""
    if isinstance(body, bytes):
        return {"data": body, "content_type": "message/rfc822"}
    return {"json": body}


def _request(client: FlaskClient, app: Flask, route: Route, values: dict[str, Any],
             headers: dict[str, str]) -> int:
    path = route.path.format(**values)
    body = route.body(app, values["shop"]) if callable(route.body) else route.body
    response = client.open(path, method=route.method, headers={**headers, **route.headers}, **_payload(body))
    return response.status_code


@pytest.mark.parametrize("caller", [*CALLERS, SUPER])
def test_access_matrix(app: Flask, client: FlaskClient, matrix_world: dict[str, Any], caller: str) -> None:
    email = "super@test.example" if caller == SUPER else f"{caller}@test.example"
    failures = []
    screen_client = app.test_client()
    login(screen_client, email)
    token = api_token(client, email)
    for route in ROUTES:
        for target in TARGETS if route.per_shop else ("own",):
            if route.screen:
                status = _request(screen_client, app, route, matrix_world[target], {})
            elif route.method == "DELETE" and route.path == "/api/v1/tokens/current":
                status = _request(client, app, route, matrix_world[target], api_token(client, email))
            else:
                status = _request(client, app, route, matrix_world[target], token)
            want = expected(route, caller, target)
            if outcome(status) != want:
                failures.append(f"{route.method} {route.path} as {caller} on {target}: {status}, want {want}")
    assert not failures, "\n".join(failures)


def test_no_credentials(app: Flask, client: FlaskClient, matrix_world: dict[str, Any]) -> None:
    for route in ROUTES:
        path = route.path.format(**matrix_world["own"])
        body = route.body(app, "OWN") if callable(route.body) else route.body
        response = client.open(path, method=route.method, headers=route.headers, **_payload(body))
        if route.screen:
            assert response.status_code == 302, path
            assert "/login" in response.headers["Location"]
        else:
            assert response.status_code == 401, path
            assert response.get_json()["error"]["code"] == "unauthenticated"
            bad = client.open(path, method=route.method,
                              headers={**route.headers, "Authorization": "Bearer sa_nope"},
                              **_payload(body))
            assert bad.status_code == 401, path


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    covered = {route.endpoint for route in ROUTES} | EXEMPT
    admin_views = {route.endpoint.split(".")[0] for route in ROUTES if route.screen} - {"admin"}
    missing = []
    for rule in app.url_map.iter_rules():
        blueprint, _, name = rule.endpoint.partition(".")
        if rule.endpoint in covered:
            continue
        if blueprint in admin_views and name in ADMIN_GENERIC:
            continue
        missing.append(f"{rule.endpoint} {rule.rule}")
    assert not missing, "routes without a row in the access matrix:\n" + "\n".join(missing)
