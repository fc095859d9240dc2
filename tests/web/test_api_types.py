"""The OpenAPI document the frontend's types are generated from is the one the code makes.

It is the served one plus the page models' schemas (supercp.web.openapi.PAGE_MODELS).

frontend/api-types/openapi.json is committed, and frontend/src/api.gen.ts is generated from it
(deploy/api-types.sh); deploy/test-frontend.sh checks the second step, this file the first.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.test import Client

from supercp.web import openapi

COMMITTED = Path(__file__).resolve().parents[2] / "frontend" / "api-types" / "openapi.json"


def test_the_committed_openapi_document_is_the_one_the_code_makes():
    made = openapi.render(openapi.frontend_document())
    assert COMMITTED.read_text(encoding="utf-8") == made, (
        f"{COMMITTED} is stale: run deploy/api-types.sh /opt/supercp/venv/bin/python"
    )


def test_the_api_document_made_without_a_server_is_the_one_the_api_serves():
    served = Client().get("/api/v1/openapi.json").json()
    # Through JSON, as served: the responses' status codes become strings.
    assert served == json.loads(openapi.render(openapi.document()))


def test_the_page_models_are_among_the_frontend_documents_schemas_only():
    served = openapi.document()["components"]["schemas"]
    schemas = openapi.frontend_document()["components"]["schemas"]
    assert {"SystemInfo", "OsInfo", "MemoryInfo", "DiskInfo", "ServiceStatus"} <= set(schemas)
    assert "SystemInfo" not in served
