"""'Why can I see this': one line per visible shop, from the access context."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from shopadmin.core.access import Access
from shopadmin.extensions import db
from shopadmin.tenants.models import Shop


def why_visible(access: Access, shop: Shop, codes: dict[int, str]) -> str:
    if access.is_superadmin:
        return _("superadmin")
    grant = access.grants.get(shop.id)
    if grant is None:
        return ""
    if grant.via_shop_id == shop.id:
        return _("member of %(shop)s; role %(role)s", shop=shop.code, role=grant.role.label)
    return _(
        "via shop %(shop)s, sub-shop of %(master)s; role %(role)s",
        shop=shop.code,
        master=codes.get(grant.via_shop_id, "?"),
        role=grant.role.label,
    )


def visible_shops_with_reasons(access: Access) -> list[tuple[Shop, str]]:
    shops = db.session.scalars(sa.select(Shop).order_by(Shop.code)).all()
    codes = {shop.id: shop.code for shop in shops}
    return [(shop, why_visible(access, shop, codes)) for shop in shops]
