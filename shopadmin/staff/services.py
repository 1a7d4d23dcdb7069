"""Staff users, memberships, sign-in and API tokens.

Raises ``Invalid`` for bad input, ``Conflict`` for a duplicate email or membership,
``NotFound``/``Forbidden`` per the access rules; flushes and never commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import lazy_gettext as _l

from shopadmin.core import audit
from shopadmin.core.access import Access, Permission, Role, grants_from_memberships
from shopadmin.core.db import utcnow
from shopadmin.core.errors import Conflict, Forbidden, Invalid, NotFound
from shopadmin.core.security import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    new_token,
    password_needs_rehash,
    token_digest,
    verify_password,
)
from shopadmin.core.validation import (
    clean_decimal,
    clean_email,
    clean_locale,
    clean_text,
    invalid,
)
from shopadmin.extensions import db
from shopadmin.staff.models import ApiToken, Membership, User
from shopadmin.tenants.models import Shop, ShopKind

MAX_PASSWORD_LENGTH = 1024  # argon2 would hash more, but nobody types that: refuse early


# -- access ------------------------------------------------------------------------------


def access_for_user(user: User, *, operator_id: int | None = None) -> Access:
    """The access context of a signed-in staff user, in one query.

    Each membership row comes with the active sub-shops of its shop when that shop is a
    B2B master (the master-shop rule); ``grants_from_memberships`` applies the roles.
    """
    sub = sa.orm.aliased(Shop)
    is_master = sa.and_(Shop.kind == ShopKind.B2B, Shop.master_id.is_(None))
    rows = db.session.execute(
        sa.select(Membership.shop_id, Membership.role, sub.id, Membership.override_limit_pct)
        .join(Shop, Shop.id == Membership.shop_id)
        .outerjoin(sub, sa.and_(is_master, sub.master_id == Shop.id, sub.is_active.is_(True)))
        .where(Membership.user_id == user.id, Shop.is_active.is_(True))
        .execution_options(all_shops=True)
    ).all()
    roles: dict[int, Role] = {}
    limits: dict[int, Decimal] = {}
    sub_shops: dict[int, list[int]] = {}
    for shop_id, role, sub_id, limit in rows:
        roles[shop_id] = role
        limits[shop_id] = Decimal(limit if limit is not None else 0)
        if sub_id is not None:
            sub_shops.setdefault(shop_id, []).append(sub_id)
    return Access(
        actor=f"user:{user.id}",
        user_id=user.id,
        is_superadmin=user.is_superadmin,
        grants=grants_from_memberships(roles.items(), sub_shops, limits),
        operator_id=operator_id,
    )


# -- users -------------------------------------------------------------------------------


def _clean_password(password: str | None) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise invalid("password", _l("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise invalid("password", _l("At most %(count)s characters.", count=MAX_PASSWORD_LENGTH))
    return password


def system_user(email: str, name: str) -> User:
    """The platform's own user for a digital worker (created on first use; it cannot sign in).

    Its id stamps what the worker does (order versions, customer activities, audit).
    """
    clean = email.strip().lower()
    user = find_user_by_email(clean)
    if user is not None:
        return user
    try:
        with db.session.begin_nested():
            user = User(email=clean, name=name, password_hash=None, is_system=True)
            db.session.add(user)
    except sa.exc.IntegrityError:  # another process created it meanwhile
        found = find_user_by_email(clean)
        if found is None:
            raise
        return found
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).one_or_none()


def create_user(
    access: Access,
    *,
    email: str,
    password: str,
    name: str = "",
    superadmin: bool = False,
    locale: str | None = None,
) -> User:
    """Create a staff user (superadmin only, or the platform itself)."""
    access.require(Permission.USER_CREATE)
    clean = clean_email(email)
    user = User(
        email=clean,
        name=clean_text(name, "name", max_length=200, required=False),
        password_hash=hash_password(_clean_password(password)),
        is_superadmin=bool(superadmin),
        locale=clean_locale(locale) if locale else None,
    )
    if find_user_by_email(clean) is not None:
        raise Conflict(_l("A user with this email exists."), code="duplicate",
                       fields={"email": [_l("Already registered.")]})
    db.session.add(user)
    db.session.flush()
    audit.record(access, "user.create", user, shop_id=None, email=clean, superadmin=user.is_superadmin)
    return user


def update_user(
    access: Access,
    user: User,
    *,
    name: str | None = None,
    locale: str | None = None,
    active: bool | None = None,
    superadmin: bool | None = None,
    password: str | None = None,
) -> User:
    """Superadmins change anyone; every user may change their own name, locale and password."""
    is_self = access.user_id == user.id
    if not (access.sees_all_shops or is_self):
        raise Forbidden(_l("You may only change your own profile."))
    if (active is not None or superadmin is not None) and not access.can(Permission.USER_MANAGE):
        raise Forbidden(_l("Only a superadmin may change this."))
    if name is not None:
        user.name = clean_text(name, "name", max_length=200, required=False)
    if locale is not None:
        user.locale = clean_locale(locale) if locale else None
    if active is not None:
        user.active = bool(active)
        user.session_epoch += 1
    if superadmin is not None:
        user.is_superadmin = bool(superadmin)
    if password is not None:
        user.password_hash = hash_password(_clean_password(password))
        user.session_epoch += 1
    db.session.flush()
    audit.record(access, "user.update", user, shop_id=None)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Same cost for unknown emails."""
    user = find_user_by_email(email or "")
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.is_active:
        return None
    if user.password_hash and password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: ``"<id>:<epoch>"``, so a bumped epoch signs the user out."""
    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_epoch != int(epoch) or not user.is_active:
        return None
    return user


def get_user(access: Access, user_id: int) -> User:
    """A user in the caller's scope: themselves, or a member of a shop they see.

    Raises ``NotFound`` outside the scope and ``Forbidden`` when the caller's role on the
    user's shops does not allow seeing staff (owners do).
    """
    user = db.session.get(User, user_id)
    if user is None or user.is_system:
        raise NotFound(_l("No such user."))
    if access.sees_all_shops or access.user_id == user_id:
        return user
    shops = set(db.session.scalars(sa.select(Membership.shop_id).where(Membership.user_id == user_id)))
    if not shops:
        raise NotFound(_l("No such user."))
    if not any(access.can(Permission.USER_VIEW, shop_id) for shop_id in shops):
        raise Forbidden(_l("Your role does not allow seeing staff of this shop."))
    return user


def users_query(access: Access) -> sa.Select[tuple[User]]:
    """Users visible to the caller (for lists): superadmins see all; owners their shops' members."""
    stmt = sa.select(User).where(User.is_system.is_(False))
    if access.sees_all_shops:
        return stmt
    shops = access.shops_allowing(Permission.USER_VIEW) or frozenset()
    members = sa.select(Membership.user_id).where(Membership.shop_id.in_(sorted(shops)))
    return stmt.where(sa.or_(User.id == access.user_id, User.id.in_(members)))


# -- memberships -------------------------------------------------------------------------


def _role(value: str | Role) -> Role:
    if isinstance(value, Role):
        return value
    try:
        return Role.parse(value or "")
    except ValueError:
        raise invalid("role", _l("Use csr, supervisor, manager or owner.")) from None


def add_member(
    access: Access, shop: Shop, *, email: str, role: str | Role, override_limit_pct: object = "0"
) -> Membership:
    """Give a user a role on a shop (owner of the shop, or superadmin)."""
    access.require(Permission.MEMBER_MANAGE, shop.id)
    clean = clean_email(email)
    user = find_user_by_email(clean)
    if user is None or user.is_system:
        raise Invalid(_l("No user with this email."), code="unknown_user",
                      fields={"email": [_l("No user with this email.")]})
    membership = Membership(
        user_id=user.id,
        shop_id=shop.id,
        role=_role(role),
        override_limit_pct=clean_decimal(
            override_limit_pct if override_limit_pct is not None else "0",
            "override_limit_pct",
            minimum=Decimal("0"),
            maximum=Decimal("100"),
            places=2,
        ),
    )
    clash = db.session.scalar(
        sa.select(Membership.id).where(Membership.shop_id == shop.id, Membership.user_id == user.id)
    )
    if clash:
        raise Conflict(
            _l("This user is already a member of the shop."), code="duplicate",
            fields={"email": [_l("Already a member.")]}
        )
    db.session.add(membership)
    db.session.flush()
    audit.record(access, "member.add", membership, shop_id=shop.id, email=clean, role=membership.role.label)
    return membership


def update_member(
    access: Access, membership: Membership, *, role: str | Role | None = None, override_limit_pct: object = None
) -> Membership:
    access.require(Permission.MEMBER_MANAGE, membership.shop_id)
    if role is not None:
        membership.role = _role(role)
    if override_limit_pct is not None:
        membership.override_limit_pct = clean_decimal(
            override_limit_pct, "override_limit_pct", minimum=Decimal("0"), maximum=Decimal("100"), places=2
        )
    db.session.flush()
    audit.record(access, "member.update", membership, shop_id=membership.shop_id, role=membership.role.label)
    return membership


def remove_member(access: Access, membership: Membership) -> None:
    access.require(Permission.MEMBER_MANAGE, membership.shop_id)
    audit.record(access, "member.remove", membership, shop_id=membership.shop_id, user_id=membership.user_id)
    db.session.delete(membership)
    db.session.flush()


def list_members(access: Access, shop: Shop) -> list[Membership]:
    access.require(Permission.MEMBER_VIEW, shop.id)
    return list(db.session.scalars(sa.select(Membership).where(Membership.shop_id == shop.id).order_by(Membership.id)))


def get_member(access: Access, shop: Shop, membership_id: int) -> Membership:
    access.require(Permission.MEMBER_VIEW, shop.id)
    membership = db.session.scalars(
        sa.select(Membership).where(Membership.id == membership_id, Membership.shop_id == shop.id)
    ).one_or_none()
    if membership is None:
        raise NotFound(_l("No such member."))
    return membership


# -- API tokens --------------------------------------------------------------------------


def issue_token(user: User, *, ttl: timedelta, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; the plain token is returned once and never stored."""
    plain = new_token()
    token = ApiToken(
        user_id=user.id,
        token_hash=token_digest(plain),
        prefix=plain[:10],
        name=name[:100],
        expires_at=utcnow() + ttl,
    )
    db.session.add(token)
    db.session.flush()
    return token, plain


def user_for_token(plain: str) -> tuple[User, ApiToken] | None:
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.token_hash == token_digest(plain))).one_or_none()
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.expires_at is not None and _aware(token.expires_at) <= now:
        return None
    if not token.user.is_active:
        return None
    # Written at most once a minute, so reads do not turn into writes on every call.
    if token.last_used_at is None or now - _aware(token.last_used_at) > timedelta(minutes=1):
        token.last_used_at = now
    return token.user, token


def revoke_token(token: ApiToken) -> None:
    token.revoked_at = utcnow()
    db.session.flush()


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
