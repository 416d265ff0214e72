"""POST /v1/drafts: draft a calm reply."""

from fastapi import APIRouter

from app.deps import ServingDep
from app.schemas import DraftIn, DraftOut, ErrorOut

router = APIRouter(prefix="/v1", tags=["drafts"])


@router.post(
    "/drafts",
    response_model=DraftOut,
    responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
async def create_draft(payload: DraftIn, serving: ServingDep) -> DraftOut:
    """Analyse a message and draft a reply with alternatives and the guard's checks."""
    message = await serving.parse(
        payload.body, subject=payload.subject, sender=payload.sender, sent_at=payload.sent_at
    )
    result = await serving.draft(message, language=payload.lang, strategy=payload.strategy)
    return DraftOut.of(result)
