"""The OpenAPI document: served, valid JSON, describing every endpoint and both auths."""

from __future__ import annotations

import json

from django.test import Client


def test_the_openapi_document_is_served_as_valid_json():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["content-type"].startswith("application/json")
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "GetSuperCP"
    paths = doc["paths"]
    assert set(paths) >= {
        "/api/v1/accounts",
        "/api/v1/accounts/{name}",
        "/api/v1/accounts/{name}/suspend",
        "/api/v1/accounts/{name}/unsuspend",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
    }
    assert set(paths["/api/v1/accounts"]) == {"get", "post"}
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    # Error responses are documented in the shape they are sent.
    assert "404" in paths["/api/v1/accounts/{name}"]["get"]["responses"]


def test_there_is_no_docs_page_that_loads_scripts_from_elsewhere():
    assert Client().get("/api/v1/docs").status_code == 404
