"""The storefront pages under ``/store/<shop_code>/`` (server-rendered, CSRF on every form).

Every route is ``@public`` (sign-in, password reset, the assistance hand-off, ending an
assistance) or ``@customer_route`` (the signed-in customer, or staff assisting one).
Each write runs in one ``unit_of_work`` with the request's customer access; while staff
assists, it is also written to the assistance transcript.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from shopadmin.assistance import services as assistance
from shopadmin.core.access import system_access
from shopadmin.core.db import acting_as, unit_of_work
from shopadmin.core.errors import DomainError
from shopadmin.core.money import money_str
from shopadmin.core.security import is_safe_next
from shopadmin.core.web import flash_error, public, request_access
from shopadmin.extensions import limiter
from shopadmin.storefront import services
from shopadmin.storefront.forms import (
    AddressForm,
    AddToCartForm,
    ChangePasswordForm,
    CheckoutForm,
    NewPasswordForm,
    PlainForm,
    ProfileForm,
    ResetRequestForm,
    SignInForm,
    TransferForm,
)
from shopadmin.storefront.session import StoreCaller, customer_route, store_caller

bp = Blueprint("storefront", __name__, url_prefix="/store/<shop_code>", template_folder="templates")


def _login_limit() -> str:
    return str(current_app.config["SHOPADMIN_LOGIN_RATE_LIMIT"])


def _email_key() -> str:
    # A second limit per shop and email, so one address cannot be guessed at from many IPs.
    return f"store-email:{request.view_args and request.view_args.get('shop_code')}:" + \
        (request.form.get("email") or "").strip().lower()[:254]


@bp.before_request
def _known_shop() -> None:
    # Runs after ``core.web`` resolved the caller: an unknown or inactive shop is a 404.
    if store_caller() is None:
        abort(404)


@bp.context_processor
def _store_context() -> dict[str, Any]:
    caller = store_caller()
    return {"store": caller, "end_form": PlainForm(), "money": money_str,
            "assistance_over": g.get("assistance_over", False)}


def _caller() -> StoreCaller:
    caller = store_caller()
    if caller is None or caller.customer_id is None:
        abort(404)
    return caller


def _home(shop_code: str) -> Response:
    return redirect(url_for("storefront.catalogue", shop_code=shop_code))


def _transcribe(action: str, summary: str, order_id: int | None = None) -> None:
    caller = _caller()
    assistance.record_action(request_access(), caller.assistance_id, action, summary, order_id=order_id)


def _cart() -> dict[str, int]:
    return services.clean_cart(request_access(), session.get("cart"))


# -- signing in and out ------------------------------------------------------------------------


def _next_target(shop_code: str) -> str:
    target = request.values.get("next") or ""
    prefix = f"/store/{shop_code}/"
    if target and is_safe_next(target) and target.startswith(prefix):
        return target
    return url_for("storefront.catalogue", shop_code=shop_code)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key)
@public
def sign_in(shop_code: str) -> Any:
    caller = store_caller()
    if caller is not None and caller.customer_id is not None:
        return redirect(_next_target(shop_code))
    form = SignInForm()
    status = 200
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        platform = system_access("storefront")
        with unit_of_work(platform):
            shop = services.storefront_shop(platform, shop_code)
            customer = services.authenticate(platform, shop, form.email.data or "", form.password.data or "") \
                if shop else None
            fingerprint = services.auth_fingerprint(customer) if customer else None
            customer_id = customer.id if customer else None
        if customer_id is not None and caller is not None:
            session.clear()  # a fresh session (and CSRF token) for the signed-in customer
            session.update({"customer_id": customer_id, "shop_id": caller.shop_id, "auth": fingerprint})
            return redirect(_next_target(shop_code))
        flash(_("Wrong email or password."), "error")
        status = 401
    return render_template("storefront/sign_in.html", form=form), status


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out(shop_code: str) -> Response:
    if PlainForm().validate_on_submit():
        caller = store_caller()
        if caller is not None and caller.assistance_id is not None:
            return end_assistance(shop_code)
        session.clear()
        flash(_("You are signed out."), "info")
    return redirect(url_for("storefront.sign_in", shop_code=shop_code))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def forgot_password(shop_code: str) -> Any:
    form = ResetRequestForm()
    if form.validate_on_submit():
        platform = system_access("storefront")
        with unit_of_work(platform):
            shop = services.storefront_shop(platform, shop_code)
            if shop is not None:
                services.request_password_reset(
                    platform, shop, form.email.data or "",
                    lambda token: url_for("storefront.reset_password", shop_code=shop_code, token=token,
                                          _external=True))
        # The same answer whether or not the email is known.
        flash(_("If this email belongs to an account here, a link to choose a new password is on its way."), "info")
        return redirect(url_for("storefront.sign_in", shop_code=shop_code))
    return render_template("storefront/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def reset_password(shop_code: str, token: str) -> Any:
    platform = system_access("storefront")
    form = NewPasswordForm()
    with acting_as(platform):
        shop = services.storefront_shop(platform, shop_code)
        customer = services.customer_for_reset_token(platform, shop, token) if shop else None
    if customer is None or shop is None:
        flash(_("This link is not valid any more. Ask for a new one."), "error")
        return redirect(url_for("storefront.forgot_password", shop_code=shop_code))
    if form.validate_on_submit():
        try:
            with unit_of_work(platform):
                customer = services.customer_for_reset_token(platform, shop, token)
                if customer is None:
                    abort(404)
                services.reset_password(platform, shop, customer, form.password.data or "")
        except DomainError as exc:
            flash_error(exc)
        else:
            session.clear()
            flash(_("Your password is changed. Sign in with it."), "success")
            return redirect(url_for("storefront.sign_in", shop_code=shop_code))
    return render_template("storefront/reset_password.html", form=form)


# -- the assistance hand-off ---------------------------------------------------------------------


@bp.route("/assist/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def assist(shop_code: str, token: str) -> Any:
    """The operator's single-use link: a page with a button (a GET changes nothing)."""
    form = PlainForm()
    if form.validate_on_submit():
        from shopadmin.storefront.session import admin_user_id

        caller = store_caller()
        platform = system_access("storefront")
        try:
            with unit_of_work(platform):
                shop = services.storefront_shop(platform, shop_code)
                if shop is None or caller is None:
                    abort(404)
                started = assistance.redeem_link(platform, shop, token, operator_id=admin_user_id())
                values = {"customer_id": started.customer_id, "shop_id": shop.id, "assistance_id": started.id}
        except DomainError as exc:
            # The failure rolled back; what it tells (expired, refused since issued) is kept apart.
            with unit_of_work(platform):
                shop = services.storefront_shop(platform, shop_code)
                if shop is not None:
                    assistance.record_redeem_failure(platform, shop, token, exc)
            return render_template("storefront/assist_failed.html", message=exc.message), exc.status
        session.clear()  # whoever was signed in here before is gone: no way back to them
        session.update(values)
        return _home(shop_code)
    return render_template("storefront/assist.html", form=form, token=token)


@bp.route("/assist/end", methods=["POST"])
@public
def end_assistance(shop_code: str) -> Response:
    """End the assistance of this storefront session. A customer's own session has none:
    they stay who they are (the button never turns anyone into anybody else)."""
    if not PlainForm().validate_on_submit():
        return _home(shop_code)
    caller = store_caller()
    if caller is None or caller.assistance_id is None:
        return _home(shop_code)
    customer_id = caller.customer_id
    # The assistance log is no customer data: read under the platform, stamped with the operator.
    with unit_of_work(system_access("storefront")):
        assistance.end_assistance(request_access(), caller.assistance_id)
    session.clear()
    return redirect(url_for("customers.details_view", id=customer_id))


# -- catalogue, cart, checkout -----------------------------------------------------------------------


@bp.route("/")
@customer_route
def catalogue(shop_code: str) -> Any:
    q = (request.args.get("q") or "").strip()[:100]
    products = services.catalogue_page(request_access(), q)
    return render_template("storefront/catalogue.html", products=products, q=q, form=AddToCartForm())


@bp.route("/cart/add", methods=["POST"])
@customer_route
def add_to_cart(shop_code: str) -> Response:
    form = AddToCartForm()
    if form.validate_on_submit():
        cart = _cart()
        sku = (form.sku.data or "").strip()
        if not services.cart_lines(request_access(), {sku: 1}):
            flash(_("This product is not available."), "error")
        else:
            cart[sku] = min(9999, cart.get(sku, 0) + int(form.quantity.data or 1))
            session["cart"] = cart
            flash(_("Added to your cart."), "success")
            with unit_of_work(request_access()):
                _transcribe("cart.add", f"cart: {sku} x {form.quantity.data}")
    return redirect(url_for("storefront.cart", shop_code=shop_code))


@bp.route("/cart")
@customer_route
def cart(shop_code: str) -> Any:
    access = request_access()
    lines = services.cart_lines(access, _cart())
    transfer = None
    if services.is_assisted(access):
        transfer = TransferForm()
        transfer.user_id.choices = [SelectChoice(user.id, user.name or user.email) for user in
                                    assistance.members_for_transfer(access, _caller().shop_id)]
    return render_template("storefront/cart.html", lines=lines, remove_form=PlainForm(), transfer_form=transfer)


@bp.route("/cart/remove/<sku>", methods=["POST"])
@customer_route
def remove_from_cart(shop_code: str, sku: str) -> Response:
    if PlainForm().validate_on_submit():
        cart = _cart()
        cart.pop(sku, None)
        session["cart"] = cart
    return redirect(url_for("storefront.cart", shop_code=shop_code))


def _checkout_form(access: Any) -> CheckoutForm:
    customer = services.me(access)
    form = CheckoutForm()
    choices = [SelectChoice(str(a.id), a.one_line()) for a in customer.addresses]
    form.shipping_address.choices = choices
    form.billing_address.choices = choices
    if request.method == "GET":
        shipping = next((a for a in customer.addresses if a.kind.value == "shipping" and a.is_default), None)
        billing = next((a for a in customer.addresses if a.kind.value == "billing" and a.is_default), shipping)
        form.shipping_address.data = str(shipping.id) if shipping else None
        form.billing_address.data = str(billing.id) if billing else None
    return form


@bp.route("/checkout", methods=["GET", "POST"])
@customer_route
def checkout(shop_code: str) -> Any:
    access = request_access()
    lines = services.cart_lines(access, _cart())
    if not lines:
        flash(_("Your cart is empty."), "info")
        return redirect(url_for("storefront.catalogue", shop_code=shop_code))
    form = _checkout_form(access)
    if form.validate_on_submit():
        try:
            with unit_of_work(access):
                order = services.checkout(access, lines, shipping_address_id=form.shipping_address.data,
                                          billing_address_id=form.billing_address.data,
                                          payment_flow=form.payment_flow.data or "")
                _transcribe("order.place", f"order {order.number} placed ({money_str(order.total, order.currency)})",
                            order.id)
                order_id, number = order.id, order.number
        except DomainError as exc:
            flash_error(exc)
        else:
            session.pop("cart", None)
            flash(_("Thank you! Your order %(number)s is placed.", number=number), "success")
            return redirect(url_for("storefront.order_detail", shop_code=shop_code, order_id=order_id))
    return render_template("storefront/checkout.html", form=form, lines=lines)


@bp.route("/cart/park", methods=["POST"])
@customer_route
def park_cart(shop_code: str) -> Response:
    """Assisting: keep the cart as a saved order held by the operator (their pending orders)."""
    return _hand_cart(shop_code, to_operator=True)


@bp.route("/cart/transfer", methods=["POST"])
@customer_route
def transfer_cart(shop_code: str) -> Response:
    """Assisting: keep the cart as a saved order and hand it to another member of the shop."""
    return _hand_cart(shop_code, to_operator=False)


def _hand_cart(shop_code: str, *, to_operator: bool) -> Response:
    access = request_access()
    caller = _caller()
    if not services.is_assisted(access) or caller.operator_id is None:
        abort(403)
    if to_operator:
        form: Any = PlainForm()
        valid = form.validate_on_submit()
        holder = caller.operator_id
    else:
        form = TransferForm()
        form.user_id.choices = [SelectChoice(u.id, u.name or u.email) for u in
                                assistance.members_for_transfer(access, caller.shop_id)]
        valid = form.validate_on_submit()
        holder = int(form.user_id.data or 0)
    if not valid:
        flash(_("Choose whom to transfer the order to."), "error")
        return redirect(url_for("storefront.cart", shop_code=shop_code))
    lines = services.cart_lines(access, _cart())
    customer = services.me(access)
    default = next((a for a in customer.addresses if a.kind.value == "shipping"), None)
    try:
        with unit_of_work(access):
            order = services.checkout(access, lines, shipping_address_id=default.id if default else None,
                                      billing_address_id=default.id if default else None,
                                      payment_flow="prepay", as_cart=True)
            # Handing over is the operator's own act, under their staff role in the shop.
            operator_access = assistance.operator_access(caller.operator_id)
            with acting_as(operator_access):
                assistance.hand_over_order(operator_access, order, holder)
            what = "parked" if to_operator else f"transferred to user {holder}"
            _transcribe("order.park" if to_operator else "order.transfer", f"order {order.number} {what}", order.id)
            number = order.number
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("storefront.cart", shop_code=shop_code))
    session.pop("cart", None)
    if to_operator:
        flash(_("Order %(number)s is parked in your pending orders.", number=number), "success")
    else:
        flash(_("Order %(number)s is transferred.", number=number), "success")
    return redirect(url_for("storefront.account", shop_code=shop_code))


# -- account ---------------------------------------------------------------------------------------


@bp.route("/account")
@customer_route
def account(shop_code: str) -> Any:
    access = request_access()
    customer = services.me(access)
    profile = ProfileForm(obj=customer)
    return render_template(
        "storefront/account.html", customer=customer, profile_form=profile, address_form=AddressForm(),
        password_form=None if services.is_assisted(access) else ChangePasswordForm(),
        orders=services.my_orders(access), plain_form=PlainForm(), assisted=services.is_assisted(access),
    )


def _account(shop_code: str) -> Response:
    return redirect(url_for("storefront.account", shop_code=shop_code))


@bp.route("/account/profile", methods=["POST"])
@customer_route
def update_profile(shop_code: str) -> Response:
    form = ProfileForm()
    if form.validate_on_submit():
        access = request_access()
        changes = {key: form.data[key] or "" for key in ("first_name", "last_name", "company", "phone")}
        changes["locale"] = form.locale.data or "en"
        try:
            with unit_of_work(access):
                services.update_profile(access, changes)
                _transcribe("profile.update", "profile changed: " + ", ".join(sorted(changes)))
            flash(_("Your profile is saved."), "success")
        except DomainError as exc:
            flash_error(exc)
    return _account(shop_code)


@bp.route("/account/password", methods=["POST"])
@customer_route
def change_password(shop_code: str) -> Response:
    access = request_access()
    if services.is_assisted(access):
        abort(403)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(access):
                customer = services.change_password(access, form.current_password.data or "",
                                                    form.password.data or "")
                session["auth"] = services.auth_fingerprint(customer)
            flash(_("Your password is changed."), "success")
        except DomainError as exc:
            flash_error(exc)
    return _account(shop_code)


@bp.route("/account/addresses", methods=["POST"])
@customer_route
def add_address(shop_code: str) -> Response:
    form = AddressForm()
    if form.validate_on_submit():
        access = request_access()
        data = {key: form.data[key] or "" for key in
                ("kind", "name", "company", "line1", "line2", "postcode", "city", "country")}
        try:
            with unit_of_work(access):
                address = services.add_address(access, data)
                _transcribe("address.add", f"address added: {address.one_line()}")
            flash(_("Address added."), "success")
        except DomainError as exc:
            flash_error(exc)
    else:
        flash(_("Fill in name, street, city and a two-letter country."), "error")
    return _account(shop_code)


@bp.route("/account/addresses/<int:address_id>/delete", methods=["POST"])
@customer_route
def delete_address(shop_code: str, address_id: int) -> Response:
    if PlainForm().validate_on_submit():
        access = request_access()
        try:
            with unit_of_work(access):
                services.delete_address(access, address_id)
                _transcribe("address.delete", f"address {address_id} removed")
            flash(_("Address removed."), "success")
        except DomainError as exc:
            flash_error(exc)
    return _account(shop_code)


@bp.route("/account/addresses/<int:address_id>/default", methods=["POST"])
@customer_route
def default_address(shop_code: str, address_id: int) -> Response:
    if PlainForm().validate_on_submit():
        access = request_access()
        try:
            with unit_of_work(access):
                services.make_default_address(access, address_id)
                _transcribe("address.default", f"address {address_id} made the default")
        except DomainError as exc:
            flash_error(exc)
    return _account(shop_code)


# -- orders ----------------------------------------------------------------------------------------


@bp.route("/orders/<int:order_id>")
@customer_route
def order_detail(shop_code: str, order_id: int) -> Any:
    order = services.my_order(request_access(), order_id)
    return render_template("storefront/order.html", order=order, form=PlainForm())


@bp.route("/orders/<int:order_id>/quote/<answer>", methods=["POST"])
@customer_route
def answer_quote(shop_code: str, order_id: int, answer: str) -> Response:
    if answer not in ("accept", "decline"):
        abort(404)
    if PlainForm().validate_on_submit():
        access = request_access()
        try:
            with unit_of_work(access):
                order = services.answer_quote(access, order_id, accept=answer == "accept")
                _transcribe(f"quote.{answer}", f"quote {order.number}: {answer}", order.id)
            flash(_("Thank you: the quote is confirmed.") if answer == "accept" else _("The quote is declined."),
                  "success")
        except DomainError as exc:
            flash_error(exc)
    return redirect(url_for("storefront.order_detail", shop_code=shop_code, order_id=order_id))
