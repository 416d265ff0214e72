"""The OpenAPI schema names the loaded model's labels, custom complaint types included."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.pipeline.types import TONES


def with_labels(schema: dict[str, Any], complaint_labels: list[str]) -> dict[str, Any]:
    """Add the label names to the analysis schemas (in place); return the schema."""
    schemas = schema.get("components", {}).get("schemas", {})
    complaint = schemas.get("ComplaintOut", {}).get("properties", {}).get("label")
    if complaint is not None:
        complaint["enum"] = list(complaint_labels)
    scores = schemas.get("AnalysisOut", {}).get("properties", {}).get("complaint_scores")
    if scores is not None:
        scores["properties"] = {label: {"type": "number"} for label in complaint_labels}
        scores["description"] = "Every complaint type of the loaded model, with its score."
    tone = schemas.get("LabelScores", {}).get("properties", {}).get("label")
    if tone is not None:
        tone["enum"] = list(TONES)
    return schema


ERROR = {"$ref": "#/components/schemas/ErrorOut"}
BAD_BODY = {
    "description": "The body is not UTF-8 text (a body that is not JSON gets 422).",
    "content": {"application/json": {"schema": ERROR}},
}


def with_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Document every error response with `ErrorOut` (in place); return the schema.

    FastAPI documents 422 as its own validation error, while Tactful's 422s may also carry
    a sentence; and a body that is not UTF-8 is refused with 400.
    """
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            invalid = responses.get("422", {}).get("content", {}).get("application/json")
            if invalid is not None:
                invalid["schema"] = ERROR
            if "requestBody" in operation:
                responses.setdefault("400", BAD_BODY)
    schema.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
    schema.get("components", {}).get("schemas", {}).pop("ValidationError", None)
    return schema


def install(app: FastAPI) -> None:
    """Serve a schema that lists the loaded model's labels (built once the model is loaded)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        with_errors(schema)
        tactful = app.state.tactful
        if tactful is None:
            return schema
        app.openapi_schema = with_labels(schema, tactful.classifier.complaint_labels)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
