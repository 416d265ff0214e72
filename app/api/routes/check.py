"""POST /v1/check: the calm guard on any text."""

from fastapi import APIRouter

from app.deps import ServingDep
from app.schemas import CheckIn, ChecksOut

router = APIRouter(prefix="/v1", tags=["check"])


@router.post("/check", response_model=ChecksOut)
async def check(payload: CheckIn, serving: ServingDep) -> ChecksOut:
    """Run every rule of the guard on `text`; each failing rule names its span."""
    return ChecksOut.of(await serving.check(payload.text, client_text=payload.client_text))
