"""POST /v1/analyze: read a message."""

from fastapi import APIRouter

from app.deps import ServingDep
from app.schemas import AnalysisOut, ErrorOut, MessageIn

router = APIRouter(prefix="/v1", tags=["analyze"])


@router.post(
    "/analyze",
    response_model=AnalysisOut,
    responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
async def analyze(payload: MessageIn, serving: ServingDep) -> AnalysisOut:
    """Classify a message: tone, hostility, threats, complaints, sentence roles, strategy."""
    message = await serving.parse(
        payload.body, subject=payload.subject, sender=payload.sender, sent_at=payload.sent_at
    )
    return AnalysisOut.of(await serving.read(message, language=payload.lang))
