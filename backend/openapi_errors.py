"""The OpenAPI schema describes the 422 answers the application really sends.

`app.py`'s validation handler answers `{"detail": "Données invalides — …", "errors": [...]}` (a
French sentence people can read, then the machine-readable list), while FastAPI's generated
schema still documents its own default, `{"detail": [...]}`. Clients generated from the schema,
and schemathesis (tests/security/test_openapi_fuzz.py), would then reject every real 422.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "title": "HTTPValidationError",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "string",
            "title": "Detail",
            "description": "What was refused, in French, for the person who sent it.",
        },
        "errors": {
            "type": "array",
            "title": "Errors",
            "items": {"$ref": "#/components/schemas/ValidationError"},
        },
    },
}


def document_validation_errors(app: FastAPI) -> None:
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schemas = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = VALIDATION_ERROR_SCHEMA
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
