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


def install(app: FastAPI) -> None:
    """Serve a schema that lists the loaded model's labels (built once the model is loaded)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        tactful = app.state.tactful
        if tactful is None:
            return schema
        app.openapi_schema = with_labels(schema, tactful.classifier.complaint_labels)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
