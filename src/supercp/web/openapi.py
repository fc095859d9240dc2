"""Print the REST API's OpenAPI document for the frontend's types, without a server.

    python -m supercp.web.openapi > frontend/api-types/openapi.json

That is /api/v1/openapi.json plus the schemas of PAGE_MODELS; frontend/src/api.gen.ts is
generated from it (deploy/api-types.sh runs both steps). Needs neither a database nor
panel.toml: the document is made from the schemas alone, under the test suite's settings
(tests/web/test_api_types.py compares it with the code and with what is served).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import django
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from supercp.protocol.system import SystemInfo

# Shapes the pages receive that no endpoint returns, so the served document lacks them: the
# daemon's facts on the dashboard (and in its WebSocket's messages).
PAGE_MODELS: tuple[type[BaseModel], ...] = (SystemInfo,)


def document() -> dict[str, Any]:
    """The OpenAPI document of the API that config/urls.py mounts, as it is served."""
    # The URL module imports every app's models, so only once the apps are loaded.
    from supercp.web.config.urls import api  # noqa: PLC0415

    schema: dict[str, Any] = api.get_openapi_schema()
    return schema


def frontend_document() -> dict[str, Any]:
    """document() with PAGE_MODELS' schemas among its components."""
    doc = document()
    _, found = models_json_schema(
        [(m, "serialization") for m in PAGE_MODELS], ref_template="#/components/schemas/{model}"
    )
    schemas: dict[str, Any] = doc["components"]["schemas"]
    for name, schema in found.get("$defs", {}).items():
        # Two models of one name would make one type out of two shapes.
        if name in schemas and schemas[name] != schema:
            raise ValueError(f"page model {name} has the name of another API schema")
        schemas[name] = schema
    return doc


def render(doc: dict[str, Any]) -> str:
    """The document as the committed file holds it: stable, reviewable JSON."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    # The test settings connect to nothing until a query runs, and making the document runs
    # none; production settings would want /etc/supercp/panel.toml and the secret key.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supercp.web.config.test_settings")
    django.setup()
    sys.stdout.write(render(frontend_document()))


if __name__ == "__main__":
    main()
