"""The storefront tests share the assistance world (a shop, its staff and customers)."""

from tests.assistance.conftest import shop_world

__all__ = ["shop_world"]
