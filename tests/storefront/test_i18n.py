"""The storefront speaks the browser's language (en, de, fr)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.assistance.conftest import store_sign_in


@pytest.mark.parametrize(("language", "words"), [
    ("de", ["Katalog", "Warenkorb", "Mein Konto", "In den Warenkorb", "Produkte suchen"]),
    ("fr", ["Catalogue", "Panier", "Mon compte", "Ajouter au panier", "Rechercher des produits"]),
    ("en", ["Catalogue", "Cart", "My account", "Add to cart", "Search products"]),
])
def test_storefront_in_the_browsers_language(app: Flask, shop_world: dict[str, Any], language: str,
                                             words: list[str]) -> None:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    sign_in_page = client.get("/store/OWN/sign-in").get_data(as_text=True)
    assert f'<html lang="{language}">' in sign_in_page
    assert store_sign_in(client, "OWN", "ann@example.com").status_code == 302
    page = client.get("/store/OWN/").get_data(as_text=True)
    for word in words:
        assert word in page


def test_password_page_in_german(app: Flask, shop_world: dict[str, Any]) -> None:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9"
    page = client.get("/store/OWN/password/forgot").get_data(as_text=True)
    assert "Passwort vergessen?" in page
    assert "Link senden" in page
