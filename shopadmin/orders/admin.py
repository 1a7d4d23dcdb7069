"""Call-center screens: the order list with worklists and the search box, the order
detail with its next actions, capture and edit. Every write goes through
``orders.services`` inside one unit of work."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, jsonify, redirect, request, session
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from shopadmin.catalogue.models import Availability
from shopadmin.core.access import Permission
from shopadmin.core.admin import ScopedModelView
from shopadmin.core.db import unit_of_work
from shopadmin.core.errors import DomainError, Forbidden, NotFound
from shopadmin.core.i18n import label, select_locale
from shopadmin.core.money import format_money, money_str, percent_below
from shopadmin.core.web import flash_error
from shopadmin.customers import services as customers
from shopadmin.customers.models import Customer
from shopadmin.extensions import db
from shopadmin.orders import labels as _labels  # noqa: F401 - the kinds the screens show
from shopadmin.orders import leases, lookups, services, workflow
from shopadmin.orders import statemachine as sm
from shopadmin.orders.forms import (
    BlockForm,
    CaptureForm,
    CommentForm,
    EditOrderForm,
    EventForm,
    HandOverForm,
    ReleaseBlockForm,
)
from shopadmin.orders.models import Order, OrderLine
from shopadmin.tenants import services as tenants
from shopadmin.tenants.admin import shop_options
from shopadmin.tenants.models import Shop

templates_bp = Blueprint("orders_screens", __name__, template_folder="templates")

WORKLIST_LABELS = {
    "waiting_payment": _l("Waiting for payment"),
    "blocked": _l("Blocked"),
    "suspended": _l("Suspended"),
    "pending_too_long": _l("Pending too long"),
    "carts_and_quotes": _l("Carts and quotes"),
}
LAST_CAPTURE_SHOP = "orders.last_capture_shop"  # the session remembers where a CSR captures
CHARGE_LABELS = {"shipping": _l("Shipping charge"), "handling": _l("Handling charge"), "misc": _l("Other charges")}
# Stored codes that version changes show as words (field name -> label kind); deliveries' states
# are ``deliveries.<id>.state``.
CHANGE_KINDS = {"state": "order_state", "channel": "channel", "payment_flow": "payment_flow"}


def shown_change(field: str, value: object) -> object:
    """A value of a version's change (or snapshot) as the reader should see it: a stored code as
    its word, nothing as a dash."""
    if value is None:
        return "—"
    if isinstance(value, dict) and {"group", "state"} <= value.keys():  # a whole delivery came or went
        return f"{label(value['group'], 'availability')} ({label(value['state'], 'delivery_state')})"
    if isinstance(value, dict):
        return ", ".join(f"{shown_field(str(key))}: {shown_change(str(key), item)}" for key, item in value.items())
    kind = CHANGE_KINDS.get(field) or ("delivery_state" if field.startswith("deliveries.")
                                       and field.endswith(".state") else None)
    return label(value, kind) if kind is not None and isinstance(value, str) else value


def shown_field(field: str) -> str:
    """A version's change path in words: ``lines.STD-1.quantity`` -> "Line STD-1 · Quantity"."""
    head, *rest = field.split(".")
    words = [label(head, "version_field")]
    if head in ("lines", "deliveries") and rest:
        words[0] += f" {rest.pop(0)}"  # the SKU or delivery id, as it is
    words += [label(part, "version_field") for part in rest]
    return " · ".join(words)


def shown_version_reason(reason: str) -> str:
    """Why a version was written, in the reader's language where the system wrote it
    (``created``, ``edited``, ``event: confirm``, ``payment captured``); a person's words as they are."""
    event = reason.removeprefix("event: ")
    if event != reason:
        return _("event: %(event)s", event=label(event, "order_event"))
    status = reason.removeprefix("payment ")
    if status != reason and " " not in status:
        return _("payment %(status)s", status=label(status, "payment_status"))
    return label(reason, "version_reason")


def refusal_text(decision: Any) -> str:
    """Why an event was refused, in the reader's language (the API says it with codes, in English)."""
    return _("%(event)s is not possible now: %(reason)s.", event=label(decision.event, "order_event"),
             reason=label(decision.reason, "refusal_reason"))


def _money(amount: Decimal | None, currency: str) -> str:
    return format_money(amount, currency, select_locale() or "en")


def _grid(order: Order, what: str) -> Any:
    return g.get("order_grid", {}).get(what, {}).get(order.id, "")


def _held_by_cell(view: Any, order: Order) -> Any:
    if order.held_by_user_id is None:
        return ""
    name = g.get("order_grid", {}).get("held_by", {}).get(order.held_by_user_id, "?")
    if not view.may_hand_over(order):
        return name
    return Markup('{} <a class="btn btn-sm btn-link" href="{}" data-testid="hand-over-{}">{}</a>').format(
        name, view.get_url(".hand_over_view", id=order.id, next="list"), order.number, _("Hand over"))


def _locked_cell(order: Order) -> Any:
    lease = _grid(order, "leases")
    if not lease:
        return ""
    return Markup('<span class="badge badge-warning" data-testid="locked-{}" title="{}">🔒 {}</span>').format(
        order.number, _("until %(time)s", time=lease.until.strftime("%H:%M")), lease.name)


class OrderAdmin(ScopedModelView):
    view_permission = Permission.ORDER_VIEW
    create_permission = Permission.ORDER_CAPTURE
    edit_permission = Permission.ORDER_EDIT
    block_permission = Permission.BLOCK_ADD
    release_permission = Permission.BLOCK_RELEASE
    comment_permission = Permission.ORDER_COMMENT

    RECORD_VIEWS: ClassVar[dict[str, str]] = {
        **ScopedModelView.RECORD_VIEWS,
        "event_view": "view_permission",
        "version_view": "view_permission",
        "block_view": "block_permission",
        "release_block_view": "release_permission",
        "comment_view": "comment_permission",
        "hand_over_view": "edit_permission",
    }

    list_template = "orders/admin/list.html"
    details_template = "orders/admin/details.html"
    column_list = ("number", "state", "customer_name", "ship_to_name", "total", "shop", "updated_at", "line_count",
                   "held_by", "locked")
    column_searchable_list = ("number",)  # the box is read by ``get_list`` (typed prefixes)
    column_sortable_list = ()
    simple_list_pager = True  # no COUNT(*) over a million orders per page
    page_size = 25
    column_labels = {  # noqa: RUF012
        "number": _l("Order"), "state": _l("State"), "customer_name": _l("Customer"),
        "ship_to_name": _l("Ship to"), "total": _l("Total"), "shop": _l("Shop"), "updated_at": _l("Last change"),
        "line_count": _l("Lines"), "held_by": _l("Held by"), "locked": _l("Being edited"),
    }
    column_formatters = {  # noqa: RUF012
        "number": lambda v, c, m, p: Markup('<a href="{}" data-testid="order-link">{}</a>').format(
            v.get_url(".details_view", id=m.id), m.number),
        "total": lambda v, c, m, p: _money(m.total, m.currency),
        "shop": lambda v, c, m, p: m.shop.code,
        "state": lambda v, c, m, p: label(m.state, "order_state") + (" ⛔" if m.active_blocks else "")
        + (" ⏸" if m.is_suspended else ""),
        "updated_at": lambda v, c, m, p: m.updated_at.strftime("%Y-%m-%d %H:%M"),
        "line_count": lambda v, c, m, p: _grid(m, "line_count"),
        "held_by": lambda v, c, m, p: _held_by_cell(v, m),
        "locked": lambda v, c, m, p: _locked_cell(m),
    }

    # -- list ----------------------------------------------------------------------------------

    def get_list(self, page: int | None, sort_column: Any, sort_desc: bool, search: str | None, filters: Any,
                 execute: bool = True, page_size: int | None = None) -> tuple[int | None, list[Order]]:
        query = services.OrderQuery(q=search, worklist=request.args.get("worklist") or None,
                                    state=request.args.get("state") or None)
        try:
            stmt = services.search_statement(self.access, query)
        except DomainError as exc:
            flash_error(exc)
            return None, []
        size = page_size or self.page_size
        # The number of lines rides along in the same statement; holders' names take one
        # more, leases none (Redis or memory): the count stays the same whatever the page holds.
        line_count = (sa.select(sa.func.count(OrderLine.id))
                      .where(OrderLine.shop_id == Order.shop_id, OrderLine.order_id == Order.id)
                      .correlate(Order).scalar_subquery())
        stmt = (stmt.add_columns(line_count.label("line_count")).order_by(Order.id.desc()).limit(size)
                .offset((page or 0) * size)
                .options(*(sa.orm.lazyload(rel) for rel in (Order.lines, Order.deliveries, Order.payments,
                                                             Order.blocks))))
        rows = db.session.execute(stmt).unique().all()
        orders = [row[0] for row in rows]
        g.order_grid = {
            "line_count": {row[0].id: row[1] for row in rows},
            "held_by": services.user_labels(self.access, {o.held_by_user_id for o in orders if o.held_by_user_id}),
            "leases": leases.current(o.id for o in orders if o.state in sm.EDITABLE_ORDER_STATES),
        }
        return None, orders

    @expose("/")
    def index_view(self) -> Any:
        self._template_args["worklists"] = WORKLIST_LABELS
        self._template_args["current_worklist"] = request.args.get("worklist", "")
        return super().index_view()

    # -- detail --------------------------------------------------------------------------------

    @expose("/details/")
    def details_view(self) -> Any:
        order = self._order()
        access = self.access
        return self.render(
            self.details_template, order=order, money=lambda amount: _money(amount, order.currency),
            actions=workflow.order_actions(access, order),
            delivery_actions={d.id: workflow.delivery_actions(access, order, d) for d in order.deliveries
                              if d.state in sm.OPEN_DELIVERY_STATES},
            versions=services.list_versions(access, order), history=services.history(access, order),
            comments=services.list_comments(access, order), event_form=EventForm(), block_form=BlockForm(),
            release_form=ReleaseBlockForm(), comment_form=CommentForm(), shown_change=shown_change,
            shown_field=shown_field,
            shown_version_reason=shown_version_reason, can_edit=access.can(Permission.ORDER_EDIT, order.shop_id)
            and order.state in sm.EDITABLE_ORDER_STATES,
            can_block=access.can(Permission.BLOCK_ADD, order.shop_id),
            can_release=access.can(Permission.BLOCK_RELEASE, order.shop_id),
            can_comment=access.can(Permission.ORDER_COMMENT, order.shop_id),
            hand_over_form=self._hand_over_form(order) if self.may_hand_over(order) else None,
            held_by=services.user_labels(access, {order.held_by_user_id}).get(order.held_by_user_id)
            if order.held_by_user_id else None,
        )

    def may_hand_over(self, order: Order) -> bool:
        access = self.access
        return (order.state in (sm.CART, sm.QUOTE) and access.can(Permission.ORDER_EDIT, order.shop_id)
                and (order.held_by_user_id in (None, access.user_id)
                     or access.can(Permission.ORDER_HAND_OVER_ANY, order.shop_id)))

    def _hand_over_form(self, order: Order) -> HandOverForm:
        form = HandOverForm()
        form.user_id.choices = [(str(u.id), u.name or u.email) for u in services.order_staff(self.access, order.shop_id)
                                if u.id != order.held_by_user_id]
        return form

    def _order(self) -> Order:
        return self.find_record(request.args.get("id") or request.form.get("id"))  # type: ignore[no-any-return]

    def _back(self, order_id: int) -> WerkzeugResponse:
        return redirect(self.get_url(".details_view", id=order_id))

    # -- actions -------------------------------------------------------------------------------

    @expose("/event/", methods=("GET", "POST"))
    def event_view(self) -> Any:
        if request.method == "GET":
            return self.details_view()
        form = EventForm()
        order = self._order()
        if not form.validate_on_submit():
            flash(_("The form expired; try again."), "error")
            return self._back(order.id)
        dry_run = form.dry_run.data == "1"
        delivery_id = int(form.delivery_id.data) if (form.delivery_id.data or "").isdigit() else None
        try:
            with unit_of_work():
                locked = services.get_order(self.access, order.id, for_update=not dry_run)
                if delivery_id is None:
                    outcome = services.fire_event(self.access, locked, form.event.data, dry_run=dry_run)
                else:
                    outcome = services.fire_delivery_event(self.access, locked, delivery_id, form.event.data,
                                                           dry_run=dry_run)
        except DomainError as exc:
            flash_error(exc)
            return self._back(order.id)
        if not outcome.decision.allowed:
            flash(refusal_text(outcome.decision), "error")
        elif dry_run:
            # The effects in the reader's language (the API and the history keep them in English).
            effects = "; ".join(str(message) for message in outcome.messages)
            flash(_("Would do: %(effects)s", effects=effects or _("nothing else")), "info")
        else:
            flash(_("Done: %(event)s.", event=label(outcome.decision.event, "order_event")), "success")
        return self._back(order.id)

    @expose("/block/", methods=("GET", "POST"))
    def block_view(self) -> Any:
        if request.method == "GET":
            return self.details_view()
        form = BlockForm()
        order = self._order()
        if form.validate_on_submit():
            try:
                with unit_of_work():
                    services.add_block(self.access, services.get_order(self.access, order.id, for_update=True),
                                       form.reason.data or "")
                flash(_("Blocked: nothing ships until the block is released."), "success")
            except DomainError as exc:
                flash_error(exc)
        else:
            flash(_("Give a reason for the block."), "error")
        return self._back(order.id)

    @expose("/release_block/", methods=("GET", "POST"))
    def release_block_view(self) -> Any:
        if request.method == "GET":
            return self.details_view()
        form = ReleaseBlockForm()
        order = self._order()
        if form.validate_on_submit() and (form.block_id.data or "").isdigit():
            try:
                with unit_of_work():
                    services.release_block(self.access, services.get_order(self.access, order.id, for_update=True),
                                           int(form.block_id.data))
                flash(_("Block released."), "success")
            except DomainError as exc:
                flash_error(exc)
        return self._back(order.id)

    @expose("/comment/", methods=("GET", "POST"))
    def comment_view(self) -> Any:
        if request.method == "GET":
            return self.details_view()
        form = CommentForm()
        order = self._order()
        if form.validate_on_submit():
            try:
                with unit_of_work():
                    services.add_comment(self.access, order, form.text.data or "",
                                         notify_customer=bool(form.notify_customer.data))
                flash(_("Comment added."), "success")
            except DomainError as exc:
                flash_error(exc)
        return self._back(order.id)

    @expose("/version/")
    def version_view(self) -> Any:
        order = self._order()
        number = request.args.get("n", "")
        if not number.isdigit():
            return self._back(order.id)
        try:
            version = services.get_version(self.access, order, int(number))
        except DomainError as exc:
            flash_error(exc)
            return self._back(order.id)
        return self.render("orders/admin/version.html", order=order, version=version, shown_change=shown_change,
                           shown_field=shown_field,
                           shown_version_reason=shown_version_reason)

    @expose("/hand_over/", methods=("GET", "POST"))
    def hand_over_view(self) -> Any:
        """Hand a saved cart or quote to another staff user of its shop (from the grid or the detail)."""
        order = self._order()
        form = self._hand_over_form(order)
        if request.method == "GET":
            form.next.data = request.args.get("next", "details")
        if request.method == "POST":
            back = form.next.data if form.next.data in ("list", "details") else "details"
            if not form.validate_on_submit() or not str(form.user_id.data).isdigit():
                flash(_("Choose whom to hand the order over to."), "error")
            else:
                try:
                    with unit_of_work():
                        locked = services.get_order(self.access, order.id, Permission.ORDER_EDIT, for_update=True)
                        services.hand_over(self.access, locked, int(form.user_id.data), reason=form.reason.data or "")
                        holder = services.user_labels(self.access, {int(form.user_id.data)}).get(
                            int(form.user_id.data), "?")
                        number = locked.number
                    flash(_("%(number)s is now held by %(who)s.", number=number, who=holder), "success")
                    if back == "list":
                        return redirect(self.get_url(".index_view", worklist="carts_and_quotes"))
                    return self._back(order.id)
                except DomainError as exc:
                    flash_error(exc)
        held_by = services.user_labels(self.access, {order.held_by_user_id}).get(order.held_by_user_id) \
            if order.held_by_user_id else None
        return self.render("orders/admin/hand_over.html", order=order, form=form, held_by=held_by,
                           may_hand_over=self.may_hand_over(order))

    # -- edit ----------------------------------------------------------------------------------

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self) -> Any:
        order = self._order()
        form = EditOrderForm()
        stale: Order | None = None
        typed_charges: dict[str, str] | None = None
        field_errors: dict[str, Any] = {}
        if request.method == "POST" and request.form.get("cancel") and form.validate_on_submit():
            self._release_lease(order)
            return self._back(order.id)
        if request.method == "GET":
            form.version.data = str(order.version)
        elif form.validate_on_submit():
            lines = []
            for line in order.lines:
                quantity = (request.form.get(f"qty-{line.id}") or "").strip()
                if quantity in ("", "0"):
                    continue  # removed
                item: dict[str, Any] = {"id": line.id, "sku": line.sku,
                                        "quantity": int(quantity) if quantity.isdigit() else quantity}
                price = (request.form.get(f"price-{line.id}") or "").strip()
                if price:
                    item["unit_price"] = price
                lines.append(item)
            if form.add_sku.data:
                lines.append({"sku": form.add_sku.data.strip(), "quantity": form.add_quantity.data or 1})
            changes: dict[str, Any] = {"lines": lines}
            typed_charges = {kind: (request.form.get(f"charge-{kind}") or "").strip()
                             for kind in services.CHARGE_KINDS if f"charge-{kind}" in request.form}
            if typed_charges:
                # An emptied box means no charge.
                changes["charges"] = {kind: value or "0" for kind, value in typed_charges.items()}
            try:
                if order.state == sm.QUOTE and "valid_until" in request.form:
                    changes["quote_valid_until"] = _parse_day(request.form["valid_until"], "quote_valid_until")
                with unit_of_work():
                    locked = services.get_order(self.access, order.id, Permission.ORDER_EDIT, for_update=True)
                    services.update_order(self.access, locked, changes, reason=form.reason.data or "",
                                          expected_version=int(form.version.data or 0))
                self._release_lease(order)
                flash(_("Saved as version %(n)s.", n=locked.version), "success")
                return self._back(order.id)
            except DomainError as exc:
                if exc.code == "stale_version":
                    db.session.expire_all()
                    stale = services.get_order(self.access, order.id)
                    flash(_("Changed by %(who)s meanwhile: this is version %(n)s now. Check it and save again.",
                            who=self._last_editor(stale), n=stale.version), "error")
                    form.version.data = str(stale.version)
                    order = stale
                    typed_charges = None  # show the newer version's charges
                else:
                    flash_error(exc)
                    field_errors = exc.fields
        limit = services.override_limit_pct(self.access, order.shop_id)
        lease = self._take_lease(order)
        charges = {kind: money_str(getattr(order, f"{kind}_charge"), order.currency) or "0"
                   for kind in services.CHARGE_KINDS}
        charges.update(typed_charges or {})
        return self.render("orders/admin/edit.html", order=order, form=form, limit=limit, stale=stale,
                           charges=charges, field_errors=field_errors, charge_labels=CHARGE_LABELS,
                           other_editor=lease if lease is not None and lease.user_id != self.access.user_id else None,
                           money=lambda amount: _money(amount, order.currency),
                           below=lambda line: percent_below(line.unit_price, line.list_price))

    def _take_lease(self, order: Order) -> leases.Lease | None:
        """Mark the order as being edited by the caller (or answer who else is editing it)."""
        access = self.access
        if access.user_id is None or order.state not in sm.EDITABLE_ORDER_STATES:
            return None
        name = services.user_labels(access, {access.user_id}).get(access.user_id, access.actor)
        return leases.take(order.id, access.user_id, name)

    def _release_lease(self, order: Order) -> None:
        if self.access.user_id is not None:
            leases.release(order.id, self.access.user_id)

    def _last_editor(self, order: Order) -> str:
        versions = services.list_versions(self.access, order)
        if not versions:
            return "?"
        from shopadmin.staff.models import User

        user_id = versions[0].user_id
        user = db.session.scalar(sa.select(User).where(User.id == user_id)) if user_id else None
        return str(user.name or user.email) if user else versions[0].actor

    # -- capture -------------------------------------------------------------------------------

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self) -> Any:
        """The capture screen: a shop, a customer (preselected from the customer page, or looked
        up), lines as a table. Without JavaScript the "Find" and "Add a line" buttons post the
        form back with everything typed kept; with it they work in place (static/orders/capture.js)."""
        access = self.access
        form = CaptureForm()
        form.shop.choices = shop_options(Permission.ORDER_CAPTURE)
        matches: list[lookups.CustomerChoice] | None = None
        line_errors: dict[int, list[str]] = {}
        general_errors: list[str] = []
        if request.method == "GET":
            rows = [_blank_row() for _ in range(BLANK_ROWS)]
            self._preselect(form)
        else:
            rows = _typed_rows(request.form)
            if request.form.get("add_line"):
                rows.append(_blank_row())
            elif request.form.get("find_customer"):
                matches = self._find_customers(form)
            elif not form.validate_on_submit():
                pass  # the field errors show on the form
            elif not str(form.shop.data or "").isdigit():
                flash(_("Choose a shop."), "error")
            else:
                lines, positions = _line_inputs(rows)
                try:
                    with unit_of_work():
                        code = tenants.get_shop_by_id(access, int(form.shop.data)).code
                        order = services.place_order(access, services.OrderInput(
                            shop=code, customer_id=int(form.customer_id.data or 0), lines=lines,
                            channel=form.channel.data or "phone", payment_flow=form.payment_flow.data or "prepay",
                            ship_together=bool(form.ship_together.data), cart=form.save_as.data == "cart",
                            quote=form.save_as.data == "quote", quote_valid_until=form.quote_valid_until.data,
                            charges={kind: value.strip() for kind in services.CHARGE_KINDS
                                     if (value := getattr(form, f"{kind}_charge").data or "").strip()}))
                        order_id, number = order.id, order.number
                    session[LAST_CAPTURE_SHOP] = str(form.shop.data)  # the next order likely goes there too
                    flash(_("Order %(number)s saved.", number=number), "success")
                    return self._back(order_id)
                except DomainError as exc:
                    flash_error(exc)
                    line_errors, general_errors = _line_errors(exc.fields, positions)
                    for kind in services.CHARGE_KINDS:
                        if f"charges.{kind}" in exc.fields:
                            getattr(form, f"{kind}_charge").errors = list(exc.fields[f"charges.{kind}"])
                    for name in ("customer_id", "shop"):
                        if name in exc.fields:
                            getattr(form, name).errors = [str(m) for m in _messages(exc.fields[name])]
            if not rows:
                rows.append(_blank_row())
        shop_id = int(form.shop.data) if str(form.shop.data or "").isdigit() else None
        if shop_id is None and form.shop.choices:
            shop_id = int(form.shop.choices[0].value)
        _describe_rows(rows, shop_id)
        currency = _shop_currency(shop_id)
        return self.render(
            "orders/admin/capture.html", form=form, rows=rows, line_errors=line_errors,
            general_errors=general_errors, matches=matches, customer=self._chosen_customer(form),
            limits={str(choice.value): str(limit) if (limit := services.override_limit_pct(access, int(choice.value)))
                    is not None else "" for choice in form.shop.choices},
            currency=currency, max_lines=services.MAX_LINES)

    def _preselect(self, form: CaptureForm) -> None:
        """``?shop=&customer_id=`` from the customer page: both must be the caller's (else 404)."""
        access = self.access
        shop_arg, customer_arg = request.args.get("shop", ""), request.args.get("customer_id", "")
        try:
            shop = lookups.capture_shop(access, int(shop_arg)) if shop_arg.isdigit() else None
            if customer_arg.isdigit():
                customer = customers.get_customer(access, int(customer_arg))
                form.customer_id.data = customer.id
                if shop is None:
                    shop = next((s for s in lookups.order_shops(access, customer)), None)
                elif not lookups.may_order_in(access, customer, shop):
                    flash(_("%(customer)s cannot order in %(shop)s.", customer=str(customer), shop=shop.code),
                          "error")
            elif shop_arg and shop is None:
                abort(404)
        except NotFound:
            abort(404)
        except Forbidden:
            abort(403)
        if shop is not None:
            form.shop.data = str(shop.id)
        elif session.get(LAST_CAPTURE_SHOP) in {str(choice.value) for choice in form.shop.choices}:
            form.shop.data = session[LAST_CAPTURE_SHOP]

    def _chosen_customer(self, form: CaptureForm) -> Customer | None:
        customer_id = form.customer_id.data
        if not isinstance(customer_id, int) or customer_id <= 0:
            return None
        try:
            return customers.get_customer(self.access, customer_id)
        except DomainError:
            form.customer_id.data = None
            return None

    def _find_customers(self, form: CaptureForm) -> list[lookups.CustomerChoice]:
        """The no-JavaScript customer search: the matches come back as choices on the form."""
        form.customer_id.errors = []
        if not str(form.shop.data or "").isdigit():
            return []
        try:
            return lookups.find_customers(self.access, int(form.shop.data), form.customer_q.data)
        except DomainError as exc:
            flash_error(exc)
            return []

    # -- lookups for the capture screen (JSON, read-only) ---------------------------------------

    def _lookup_shop_id(self) -> int:
        shop = request.args.get("shop", "")
        if not shop.isdigit() or len(shop) > 9:
            abort(404)
        return int(shop)

    @expose("/lookup/customers/")
    def customer_lookup_view(self) -> Any:
        """``?shop=<id>&q=<text>``: customers who may order in that shop (404 for another shop's)."""
        shop_id = self._lookup_shop_id()
        try:
            found = lookups.find_customers(self.access, shop_id, request.args.get("q", "")[:200])
        except NotFound:
            abort(404)
        except Forbidden:
            abort(403)
        return _no_store(jsonify({"items": [{
            "id": c.id, "name": c.name, "email": c.email, "company": c.company, "registered": c.registered,
            "label": _customer_label(c.name, c.company, c.email),
            "note": "" if c.registered else _("not yet registered with this shop; the order registers them"),
        } for c in found]}))

    @expose("/lookup/products/")
    def product_lookup_view(self) -> Any:
        """``?shop=<id>&q=<text>``: the shop's active products with price and availability."""
        shop_id = self._lookup_shop_id()
        try:
            found = lookups.find_products(self.access, shop_id, request.args.get("q", "")[:64])
        except NotFound:
            abort(404)
        except Forbidden:
            abort(403)
        currency = _shop_currency(shop_id)
        return _no_store(jsonify({"items": [{
            "sku": p.sku, "name": p.name, "price": money_str(p.price, currency),
            "price_display": _money(p.price, currency), "availability": p.availability.value,
            "note": _availability_note(p),
        } for p in found]}))


BLANK_ROWS = 3
ROW_FIELD_RE = re.compile(r"^sku-(\d{1,3})$")


def _blank_row() -> dict[str, Any]:
    return {"sku": "", "qty": "1", "price": ""}


def _typed_rows(data: Any) -> list[dict[str, Any]]:
    """The line rows as typed (``sku-<n>``, ``qty-<n>``, ``price-<n>``), in the order of ``n``."""
    numbers = sorted(int(m.group(1)) for key in data if (m := ROW_FIELD_RE.match(key)))
    return [{"sku": (data.get(f"sku-{n}") or "").strip()[:64], "qty": (data.get(f"qty-{n}") or "").strip()[:16],
             "price": (data.get(f"price-{n}") or "").strip()[:32]} for n in numbers[:services.MAX_LINES]]


def _line_inputs(rows: list[dict[str, Any]]) -> tuple[list[services.LineInput], list[int]]:
    """The service's lines from the rows, and for each the row it came from. A row without
    SKU and price is an unused row; a quantity that is not a whole number goes to the service
    as typed, which names the line in its refusal."""
    lines, positions = [], []
    for n, row in enumerate(rows):
        if not row["sku"] and not row["price"]:
            continue
        quantity: object = int(row["qty"]) if row["qty"].isdigit() else row["qty"]
        lines.append(services.LineInput(sku=row["sku"], quantity=quantity, unit_price=row["price"] or None))
        positions.append(n)
    return lines, positions


def _messages(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _line_errors(fields: dict[str, Any], positions: list[int]) -> tuple[dict[int, list[str]], list[str]]:
    """Field errors ``lines.<i>[.<field>]`` beside the row they came from; ``lines`` above the table."""
    by_row: dict[int, list[str]] = {}
    general: list[str] = []
    for key, value in fields.items():
        parts = key.split(".")
        if parts[0] != "lines":
            continue
        if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(positions):
            by_row.setdefault(positions[int(parts[1])], []).extend(str(m) for m in _messages(value))
        else:
            general.extend(str(m) for m in _messages(value))
    return by_row, general


def _shop_currency(shop_id: int | None) -> str:
    if shop_id is None:
        return "EUR"
    shop = db.session.scalar(sa.select(Shop).where(Shop.id == shop_id))
    return shop.currency if shop is not None else "EUR"


def _describe_rows(rows: list[dict[str, Any]], shop_id: int | None) -> None:
    """Name, list price and availability beside each typed SKU the shop sells (for the warning)."""
    from shopadmin.catalogue import services as catalogue

    skus = [row["sku"] for row in rows if row["sku"]]
    products = catalogue.products_by_sku(shop_id, skus) if shop_id is not None and skus else {}
    currency = _shop_currency(shop_id) if products else "EUR"
    for row in rows:
        product = products.get(row["sku"])
        if product is not None and product.is_active:
            row["product"] = {"name": product.name, "price": money_str(product.price, currency),
                              "price_display": _money(product.price, currency)}


def _availability_note(product: lookups.ProductChoice) -> str:
    kind = label(product.availability.value, "availability")
    if product.availability == Availability.STANDARD:
        return _("%(count)s in stock", count=product.available or 0)
    if product.availability == Availability.BACKORDER:
        return _("%(kind)s, %(count)s in stock", kind=kind, count=product.available or 0)
    if product.availability == Availability.PREORDER and product.release_date is not None:
        return _("%(kind)s, ships from %(day)s", kind=kind, day=product.release_date.isoformat())
    return str(kind)


def _customer_label(name: str, company: str, email: str) -> str:
    who = ", ".join(part for part in (name, company) if part)
    return f"{who} <{email}>" if who else email


def _no_store(response: WerkzeugResponse) -> WerkzeugResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


def _parse_day(text: str, field: str) -> date | None:
    from shopadmin.core.validation import invalid

    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise invalid(field, _l("A date such as 2031-01-31.")) from None


def register_admin(app: Any, admin: Any) -> None:
    """Add the order screens to the admin (called by ``create_app``)."""
    app.register_blueprint(templates_bp)
    admin.add_view(OrderAdmin(Order, name=_l("Orders"), endpoint="orders"))
    from shopadmin.catalogue.admin import ProductAdmin, StockAdmin
    from shopadmin.catalogue.models import Product, StockLevel

    admin.add_view(ProductAdmin(Product, name=_l("Products"), endpoint="products", category=_l("Catalogue")))
    admin.add_view(StockAdmin(StockLevel, name=_l("Stock"), endpoint="stock", category=_l("Catalogue")))
