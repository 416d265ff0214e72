"""Shared fixtures: the real model, loaded once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"

pytest_plugins = ["tests.storage.fixtures"]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory):
    """Settings for tests: the shipped model, a throwaway SQLite file, auth off."""
    from app.config import Settings

    data = tmp_path_factory.mktemp("data")
    return Settings(database_url=f"sqlite:///{data / 'tactful.db'}", auth_disabled=True)


@pytest.fixture(scope="session")
def classifier(settings):
    """The shipped classifier on the default runtime."""
    from app.pipeline.classify import Classifier

    return Classifier.from_pretrained(settings.model_dir, "torch")


@pytest.fixture(scope="session")
def tactful(settings, classifier):
    """The whole pipeline, sharing the loaded classifier."""
    from app.pipeline.service import Tactful

    return Tactful(classifier, settings)


@pytest.fixture()
def client(settings, tactful) -> Iterator:
    """A TestClient with the lifespan running."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(settings, tactful=tactful)) as test_client:
        yield test_client
