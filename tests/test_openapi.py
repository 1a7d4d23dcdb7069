from __future__ import annotations

from flask.testing import FlaskClient
from openapi_spec_validator import validate


def test_openapi_document_is_valid_and_covers_the_api(client: FlaskClient, app: object) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/tokens", "/api/v1/shops", "/api/v1/shops/{code}", "/api/v1/shops/{code}/tax-rules",
                 "/api/v1/users", "/api/v1/shops/{code}/members"):
        assert path in spec["paths"], path
    assert "ShopIn" in spec["components"]["schemas"]


def test_api_errors_are_json_never_html(client: FlaskClient) -> None:
    for method, path in (("GET", "/api/v1/nowhere"), ("PUT", "/api/v1/shops"), ("GET", "/api/v1/shops")):
        response = client.open(path, method=method)
        assert response.is_json, (method, path)
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}
