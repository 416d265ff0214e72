"""The HTTP contract under fuzzing: schemathesis sends requests generated from the schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

pytestmark = pytest.mark.slow

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture()
def api_schema(settings, tactful, tmp_path) -> Iterator[schemathesis.BaseSchema]:
    """The service's own schema, served by an app with a database of its own."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    own = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'fuzz.db'}"})
    app = create_app(own, tactful=tactful)
    with TestClient(app):  # runs the lifespan: the database, the batcher
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_operation_answers_within_its_contract(api_schema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=50,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        answers()
