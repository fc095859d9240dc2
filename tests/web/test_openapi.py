"""The OpenAPI document: served, valid JSON, describing every endpoint and both auths."""

from __future__ import annotations

import json

import pytest
from django.test import Client

METHODS = ("get", "post", "put", "patch", "delete")


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


def test_a_method_a_path_does_not_have_is_a_json_405_on_every_path():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for template, operations in paths.items():
        path = template.replace("{", "x").replace("}", "")
        for method in sorted(set(METHODS) - set(operations)):
            response = Client().generic(method.upper(), path)
            assert response.status_code == 405, (method, path)
            assert response["Content-Type"] == "application/json"
            assert response.json() == {
                "error": {
                    "code": "method-not-allowed",
                    "message": "method not allowed",
                    "field": None,
                }
            }
            allowed = {m.lower() for m in response["Allow"].split(", ")}
            assert allowed == set(operations), path


@pytest.mark.parametrize("path", ["/api/v1/accounts", "/api/nothing-here"])
def test_a_host_header_not_allowed_is_a_json_400(path):
    response = Client().get(path, headers={"host": "evil.example"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad-request"


def test_pages_keep_their_html_errors():
    response = Client().put("/login")
    assert response.status_code == 405
    assert not response["Content-Type"].startswith("application/json")
