"""Liveness and readiness."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The model is loaded and requests can be served."""
    tactful = getattr(request.app.state, "tactful", None)
    if tactful is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    return JSONResponse(
        {
            "status": "ready",
            "runtime": tactful.classifier.encoder.name,
            "complaint_labels": tactful.classifier.complaint_labels,
        }
    )
