"""Print the REST API's OpenAPI document, as /api/v1/openapi.json serves it, without a server.

    python -m supercp.web.openapi > frontend/api-types/openapi.json

The frontend's types (frontend/src/api.gen.ts) are generated from that file; deploy/api-types.sh
runs both steps. Needs neither a database nor panel.toml: the document is made from the routers'
schemas alone, under the test suite's settings (tests/web compares it with the one served).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import django


def document() -> dict[str, Any]:
    """The OpenAPI document of the API that config/urls.py mounts."""
    # The URL module imports every app's models, so only once the apps are loaded.
    from supercp.web.config.urls import api  # noqa: PLC0415

    schema: dict[str, Any] = api.get_openapi_schema()
    return schema


def render(doc: dict[str, Any]) -> str:
    """The document as the committed file holds it: stable, reviewable JSON."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    # The test settings connect to nothing until a query runs, and making the document runs
    # none; production settings would want /etc/supercp/panel.toml and the secret key.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supercp.web.config.test_settings")
    django.setup()
    sys.stdout.write(render(document()))


if __name__ == "__main__":
    main()
