"""``/api/v1/customers`` and the per-shop customer settings (activity codes, custom fields)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_babel import lazy_gettext as _l

from shopadmin.core.access import Permission
from shopadmin.core.api import PageArgs, api_blueprint, check_if_match, decode_cursor, encode_cursor, page, page_schema
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import Malformed
from shopadmin.core.web import api_route, request_access
from shopadmin.customers import activities, services
from shopadmin.customers.models import CodeKind, Customer
from shopadmin.customers.schemas import (
    ActivityIn,
    ActivityOut,
    AlertClearIn,
    AlertIn,
    AlertOut,
    AttributeDefinitionIn,
    AttributeDefinitionOut,
    CodeListIn,
    CodeListOut,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    CustomerSearchArgs,
    CustomerSummaryOut,
    PrivateNoteIn,
    PrivateNoteOut,
    RegistrationIn,
    RegistrationPatch,
    TimelineArgs,
)
from shopadmin.tenants import services as tenants

blp = api_blueprint("customers_api", __name__, description="Customers shared by the shops of a sharing group")


def _etag(customer: Customer) -> dict[str, str]:
    return {"ETag": f'"{customer.version}"'}


def _shop_id(code: str | None) -> int | None:
    return tenants.get_shop(request_access(), code).id if code else None


@blp.route("/customers")
class Customers(MethodView):
    @api_route(Permission.CUSTOMER_VIEW)
    @blp.arguments(CustomerSearchArgs, location="query")
    @blp.response(200, page_schema(CustomerSummaryOut, "CustomerPage"))
    def get(self, args: dict[str, Any]) -> Any:
        """Search the visible customers by name, email, company, phone, tag or id (in id order)."""
        access = request_access()
        return page(
            lambda after, limit: services.search_customers(
                access, q=args["q"], tag=args["tag"], shop=args["shop"], customer_type=args["type"],
                has_alert=args["alert"], after_id=after, limit=limit,
            ),
            args,
        )

    @api_route(Permission.CUSTOMER_CREATE)
    @blp.arguments(CustomerIn)
    @blp.response(201, CustomerOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Register a new customer with a shop; a known email in its sharing group: 409 ``customer_exists``."""
        with unit_of_work():
            customer = services.create_customer(request_access(), services.CustomerInput(**data))
        return customer, _etag(customer)


@blp.route("/customers/<int:customer_id>")
class CustomerById(MethodView):
    @api_route(Permission.CUSTOMER_VIEW)
    @blp.response(200, CustomerOut)
    def get(self, customer_id: int) -> Any:
        customer = services.get_customer(request_access(), customer_id)
        return customer, _etag(customer)

    @api_route(Permission.CUSTOMER_EDIT)
    @blp.arguments(CustomerPatch)
    @blp.response(200, CustomerOut)
    def patch(self, changes: dict[str, Any], customer_id: int) -> Any:
        """Change the shared profile; send ``If-Match`` with the version you read."""
        access = request_access()
        with unit_of_work():
            customer = services.get_customer(access, customer_id, Permission.CUSTOMER_EDIT)
            check_if_match(customer.version)
            services.update_customer(access, customer, changes)
        return customer, _etag(customer)


@blp.route("/customers/<int:customer_id>/shops")
class Registrations(MethodView):
    @api_route(Permission.CUSTOMER_REGISTER)
    @blp.arguments(RegistrationIn)
    @blp.response(201, CustomerOut)
    def post(self, data: dict[str, Any], customer_id: int) -> Any:
        """Register the customer with another shop of its sharing group (idempotent)."""
        with unit_of_work():
            customer = services.register_with_shop(request_access(), customer_id, data["shop"])
        return customer, _etag(customer)


@blp.route("/customers/<int:customer_id>/shops/<string:code>")
class Registration(MethodView):
    @api_route(Permission.CUSTOMER_DISABLE)
    @blp.arguments(RegistrationPatch)
    @blp.response(200, CustomerOut)
    def patch(self, data: dict[str, Any], customer_id: int, code: str) -> Any:
        """Disable (or enable again) the customer in one shop; the other shops are untouched."""
        access = request_access()
        with unit_of_work():
            customer = services.get_customer(access, customer_id)
            services.set_link_disabled(access, customer, tenants.get_shop(access, code), disabled=data["disabled"])
        return customer, _etag(customer)


def _before_page(fetch: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Newest-first keyset pages: the cursor holds the last id seen."""
    position = decode_cursor(args.get("cursor"))
    before = position.get("id") if position else None
    if before is not None and not isinstance(before, int):
        raise Malformed(_l("The cursor is not one this API gave out."), code="invalid_cursor")
    limit = int(args.get("limit") or 50)
    rows = fetch(before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next": encode_cursor({"id": rows[-1].id}) if more and rows else None}


@blp.route("/customers/<int:customer_id>/activities")
class Activities(MethodView):
    @api_route(Permission.ACTIVITY_VIEW)
    @blp.arguments(TimelineArgs, location="query")
    @blp.response(200, page_schema(ActivityOut, "ActivityPage"))
    def get(self, args: dict[str, Any], customer_id: int) -> Any:
        """The timeline, newest first."""
        access = request_access()
        customer = services.get_customer(access, customer_id, Permission.ACTIVITY_VIEW)
        return _before_page(
            lambda before, limit: activities.list_activities(
                access, customer, before_id=before, limit=limit, kind=args["kind"]
            ),
            args,
        )

    @api_route(Permission.ACTIVITY_ADD)
    @blp.arguments(ActivityIn)
    @blp.response(201, ActivityOut)
    def post(self, data: dict[str, Any], customer_id: int) -> Any:
        """Add a note or a call (codes from the shop's lists; optionally about an order)."""
        access = request_access()
        with unit_of_work():
            customer = services.get_customer(access, customer_id)
            shop_code = data.pop("shop")
            return activities.add_activity(access, customer, shop_id=_shop_id(shop_code), **data)


@blp.route("/customers/<int:customer_id>/alerts")
class Alerts(MethodView):
    @api_route(Permission.CUSTOMER_VIEW)
    @blp.response(200, page_schema(AlertOut, "AlertPage"))
    def get(self, customer_id: int) -> Any:
        access = request_access()
        customer = services.get_customer(access, customer_id)
        return {"items": activities.list_alerts(access, customer), "next": None}

    @api_route(Permission.ALERT_FLAG)
    @blp.arguments(AlertIn)
    @blp.response(201, AlertOut)
    def post(self, data: dict[str, Any], customer_id: int) -> Any:
        """Flag the customer (or one of its orders) for review."""
        access = request_access()
        with unit_of_work():
            customer = services.get_customer(access, customer_id)
            return activities.flag_alert(access, customer, message=data["message"], order_id=data["order_id"],
                                         shop_id=_shop_id(data["shop"]))


@blp.route("/customers/<int:customer_id>/alerts/<int:alert_id>/clear")
class AlertClear(MethodView):
    @api_route(Permission.ALERT_CLEAR)
    @blp.arguments(AlertClearIn)
    @blp.response(200, AlertOut)
    def post(self, data: dict[str, Any], customer_id: int, alert_id: int) -> Any:
        """Clear an alert (supervisor and up)."""
        access = request_access()
        with unit_of_work():
            customer = services.get_customer(access, customer_id)
            return activities.clear_alert(access, customer, alert_id, note=data["note"])


@blp.route("/customers/<int:customer_id>/notes")
class PrivateNotes(MethodView):
    @api_route(Permission.CUSTOMER_PRIVATE_NOTES)
    @blp.response(200, page_schema(PrivateNoteOut, "PrivateNotePage"))
    def get(self, customer_id: int) -> Any:
        """The private notes of the caller's shops about this customer (never other shops')."""
        access = request_access()
        customer = services.get_customer(access, customer_id)
        return {"items": services.private_notes(access, customer), "next": None}


@blp.route("/customers/<int:customer_id>/notes/<string:code>")
class PrivateNote(MethodView):
    @api_route(Permission.CUSTOMER_PRIVATE_NOTES)
    @blp.arguments(PrivateNoteIn)
    @blp.response(200, PrivateNoteOut)
    def put(self, data: dict[str, Any], customer_id: int, code: str) -> Any:
        """Set one shop's internal notes and tags about the customer."""
        access = request_access()
        with unit_of_work():
            customer = services.get_customer(access, customer_id)
            shop = tenants.get_shop(access, code)
            return services.set_private_note(access, customer, shop, notes=data["notes"], tags=data["tags"])


@blp.route("/shops/<string:code>/activity-codes")
class ActivityCodes(MethodView):
    @api_route(Permission.CUSTOMER_VIEW)
    @blp.response(200, CodeListOut)
    def get(self, code: str) -> Any:
        """The shop's activity and result codes (defaults until a manager edits them)."""
        access = request_access()
        shop = tenants.get_shop(access, code)
        access.require(Permission.CUSTOMER_VIEW, shop.id)
        return _codes(shop)

    @api_route(Permission.ACTIVITY_CODES_MANAGE)
    @blp.arguments(CodeListIn)
    @blp.response(200, CodeListOut)
    def put(self, data: dict[str, Any], code: str) -> Any:
        """Replace the lists given (``activity``, ``result``): ``[{"code", "label"}]``."""
        access = request_access()
        with unit_of_work():
            shop = tenants.get_shop(access, code)
            access.require(Permission.ACTIVITY_CODES_MANAGE, shop.id)
            for kind in CodeKind:
                if data.get(kind.value) is not None:
                    activities.set_codes(access, shop, kind, data[kind.value])
            return _codes(shop)


def _codes(shop: Any) -> dict[str, Any]:
    return {"shop": shop.code, **{kind.value: activities.codes_for_shop(shop.id, kind) for kind in CodeKind}}


@blp.route("/shops/<string:code>/customer-attributes")
class AttributeDefinitions(MethodView):
    @api_route(Permission.CUSTOMER_VIEW)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(AttributeDefinitionOut, "AttributeDefinitionPage"))
    def get(self, args: dict[str, Any], code: str) -> Any:
        """The custom fields of the shop's customer registration form."""
        access = request_access()
        return {"items": activities.list_attribute_definitions(access, tenants.get_shop(access, code)), "next": None}

    @api_route(Permission.CUSTOMER_ATTRIBUTES_MANAGE)
    @blp.arguments(AttributeDefinitionIn)
    @blp.response(201, AttributeDefinitionOut)
    def post(self, data: dict[str, Any], code: str) -> Any:
        access = request_access()
        with unit_of_work():
            return activities.define_attribute(access, tenants.get_shop(access, code), **data)


@blp.route("/shops/<string:code>/customer-attributes/<string:name>")
class AttributeDefinitionByName(MethodView):
    @api_route(Permission.CUSTOMER_ATTRIBUTES_MANAGE)
    @blp.response(204)
    def delete(self, code: str, name: str) -> None:
        access = request_access()
        with unit_of_work():
            activities.delete_attribute(access, tenants.get_shop(access, code), name)
