"""One Settings object, read from environment variables with the TACTFUL_ prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.pipeline.pause import DEFAULT_MINUTES

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting of the service; each can be set as TACTFUL_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="TACTFUL_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    model_dir: Path = ROOT / "models" / "tactful-heads"
    runtime: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="onnx",
        description="Encoder runtime: torch (fp32), onnx (fused fp32, the default: same "
        "predictions as torch) or onnx-int8 (faster, but changes some predictions).",
    )
    templates_dir: Path = ROOT / "templates"
    prompts_dir: Path = ROOT / "prompts"
    profile_path: Path = ROOT / "config" / "company.example.yaml"
    max_body_bytes: int = 256 * 1024
    database_url: str = f"sqlite:///{ROOT / 'var' / 'tactful.db'}"
    auth_disabled: bool = False
    log_level: str = "info"
    pause_minutes: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_MINUTES),
        description="Cool-down minutes per tone (JSON); hostile mail (angry or abusive, "
        "hostility 0.5 or more, or a threat) waits 20-40.",
    )
    guard_reads_drafts: bool = Field(
        default=True,
        description="Run the classifier's calm reading on generated drafts too (one batched "
        "encoder run over the draft and its alternatives); edited text always gets it.",
    )
    batch_max_size: int = 16
    batch_max_wait_ms: float = 5.0
    batch_max_queue: int = 256
    # review queue, API keys, webhooks, retention (app/storage, app/auth.py, app/webhooks.py)
    review_second_approver: bool = Field(
        default=False,
        description="A reply edited by one person must be approved by another.",
    )
    review_page_size: int = Field(default=50, ge=1, le=500, description="Reviews per page.")
    webhook_urls: list[str] = Field(
        default_factory=list, description="URLs (JSON list) that receive each approved reply."
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key signing webhook bodies (required with URLs)."
    )
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_backoff_seconds: float = Field(
        default=5.0, gt=0, description="First retry delay; doubles on each failure."
    )
    webhook_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_poll_seconds: float = Field(
        default=5.0, gt=0, description="How often the worker looks for due deliveries."
    )
    retention_days: int = Field(
        default=0,
        ge=0,
        description="Delete message bodies and drafts older than this many days (0: keep).",
    )
    retention_interval_hours: float = Field(
        default=6.0, gt=0, description="How often the service runs the retention purge."
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own Settings)."""
    return Settings()
