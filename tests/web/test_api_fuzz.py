"""schemathesis against the served OpenAPI schema: whatever it sends, never a 500.

Driven through schemathesis' Python API and Hypothesis directly (its pytest plugin does not
run under pytest 9.2).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from .conftest import Dashboard

OPERATIONS = 15  # every documented operation: the ping routes, the playbook reads and maintenance


def test_the_api_never_answers_500_and_keeps_to_its_schema(dashboard: Dashboard) -> None:
    schema = schemathesis.openapi.from_url(dashboard.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == OPERATIONS
    checked: list[str] = []
    sent: list[int] = []
    for operation in operations:

        @settings(
            max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def exercise(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
            sent.append(1)
            case.call_and_validate(
                checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
            )

        exercise()
        checked.append(operation.label)
    assert len(checked) == OPERATIONS
    assert len(sent) >= OPERATIONS * 10  # really exercised, not a vacuous pass
