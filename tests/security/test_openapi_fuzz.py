"""Bad input, generated: schemathesis against the backend's own OpenAPI schema.

Every operation of the schema gets requests generated from it, valid and invalid, sent to the real
application in-process on SQLite, signed in as the beneficiary's care manager (as the tablet for
/api/v1/device/*), with the real beneficiary's id in the path so that the generated bodies reach
the services. The checks: no 5xx, and every answer matches the schema (body and content type).
Examples are bounded so that the whole file runs in well under a minute.

(schemathesis' own pytest integration does not work with pytest 9, hence `@given` per operation.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.security.backend_app import OPERATIONS, RunningApp, running_app

EXAMPLES_PER_OPERATION = 10
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with running_app(tmp_path_factory.mktemp("fuzz")) as app:
        yield app


@pytest.fixture(scope="module")
def api_schema(fuzzed_app: RunningApp) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app.client.app)


def test_the_schema_has_every_resource() -> None:
    """The fuzzed schema covers the whole API (a broken schema would fuzz nothing)."""
    paths = {p for _, p in OPERATIONS}
    assert len(OPERATIONS) > 50
    for expected in ("/api/v1/device/sync", "/api/v1/beneficiaries/{beneficiary_id}/photos"):
        assert expected in paths


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_answers_within_its_schema(
    method: str, path: str, api_schema: Any, fuzzed_app: RunningApp
) -> None:
    """Generated valid and invalid requests: never a 5xx, every answer as the schema says."""
    operation = api_schema[path][method]
    fixed = {"beneficiary_id": fuzzed_app.beneficiary_id} if "{beneficiary_id}" in path else None
    device = path.startswith("/api/v1/device/")
    headers = fuzzed_app.device_headers if device else fuzzed_app.cm.headers
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed),
    )

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
