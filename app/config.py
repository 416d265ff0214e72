"""One Settings object, read from environment variables with the TACTFUL_ prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.pipeline.pause import DEFAULT_MINUTES

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting of the service; each can be set as TACTFUL_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="TACTFUL_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    model_dir: Path = ROOT / "models" / "tactful-heads"
    runtime: str = Field(default="torch", description="torch or onnx")
    templates_dir: Path = ROOT / "templates"
    prompts_dir: Path = ROOT / "prompts"
    profile_path: Path = ROOT / "config" / "company.example.yaml"
    max_body_bytes: int = 256 * 1024
    database_url: str = f"sqlite:///{ROOT / 'var' / 'tactful.db'}"
    auth_disabled: bool = False
    log_level: str = "info"
    pause_minutes: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_MINUTES),
        description="Cool-down minutes per tone (JSON); angry and abusive stay within 20-40.",
    )
    batch_max_size: int = 16
    batch_max_wait_ms: float = 5.0
    batch_max_queue: int = 256


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own Settings)."""
    return Settings()
