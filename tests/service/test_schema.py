"""Schemathesis against the live OpenAPI document, as an admin and as a customer: every
operation, with generated (valid and invalid) requests, answers without a server error, with a
status code it documents and a body that matches the declared schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from accord.service import accounts
from accord.service.tenancy import Role, Scope
from tests.service.conftest import NOW, USERS, Workspace, build_workspace

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 5
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture(scope="module", params=["sqlite"])
def own_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """A workspace for this module alone: generated POST, PATCH and DELETE requests change it.
    SQLite only: the document and the routes are the same on PostgreSQL."""
    path = Path(tmp_path_factory.mktemp("schema")) / "accord.db"
    built = build_workspace(f"sqlite:///{path}")
    try:
        yield built
    finally:
        built.engine.dispose()


def _fresh_token(workspace: Workspace, username: str) -> str:
    """A working token for ``username``, whatever earlier generated requests did to the user
    (disabled it) or to its tokens (revoked them)."""
    role = USERS[username][0]
    accounts.set_disabled(workspace.engine, username=username, disabled=False)
    scopes = [s for s in Scope if role is Role.ADMIN or s is not Scope.ADMIN] \
        if role in (Role.ADMIN, Role.STAFF) else [Scope.READ]
    return accounts.create_token(workspace.engine, username=username, name="schemathesis",
                                 scopes=scopes, now=NOW).secret


@pytest.mark.parametrize("username", ["ada", "ann"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["positive", "negative"])
def test_every_operation_keeps_to_the_openapi_document(
        own_workspace: Workspace, username: str, mode: GenerationMode) -> None:
    client = own_workspace.client(username)
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    failures: list[str] = []
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) > 30  # every operation in the document is usable
    for operation in operations:
        headers = {"Authorization": f"Bearer {_fresh_token(own_workspace, username)}"}
        try:
            _exercise(operation, mode, headers)
        except Unsatisfiable:  # nothing to make invalid: no parameters, or only free strings
            continue
        except (Exception, BaseExceptionGroup) as error:  # every operation's, not the first's
            found = error.exceptions if isinstance(error, BaseExceptionGroup) else (error,)
            failures.append(f"{operation.label}: " + "\n".join(map(str, found)))
    assert not failures, "\n\n".join(failures)


def _exercise(operation: APIOperation[Any, Any, Any, Any], mode: GenerationMode,
              headers: dict[str, str]) -> None:
    """Generated requests to ``operation``, each response checked (raises on a failure)."""

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Case[Any]) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
