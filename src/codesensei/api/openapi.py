"""The OpenAPI document, with the roles each operation admits (`x-roles`) read from its role gate.

Reading the roles from the dependencies themselves, rather than writing them down twice, keeps the
document true to what the server enforces; the tests use it to try every staff operation as a candidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from codesensei.api.accounts.roles import ROLES
from codesensei.api.deps import RoleGate, current_user

DESCRIPTION = """\
Code Sensei's HTTP API. Sign in with `POST /api/auth/login` (or claim an invitation with
`POST /api/invitations/claim`) and send the access token as `Authorization: Bearer …`; refresh it with
`POST /api/auth/refresh`. Every error has the body `{"error": {"code": …, "message": …}}`. Each operation
lists the roles it admits in `x-roles` (administrators are admitted everywhere); `x-public` ones need no
sign-in.
"""


def _gates(dependant: Dependant) -> tuple[list[RoleGate], bool]:
    """The role gates under a dependant, and whether it needs a signed-in user at all."""
    gates: list[RoleGate] = []
    signed_in = False
    for sub in dependant.dependencies:
        if isinstance(sub.call, RoleGate):
            gates.append(sub.call)
        signed_in = signed_in or sub.call is current_user
        found, needs = _gates(sub)
        gates += found
        signed_in = signed_in or needs
    return gates, signed_in or bool(gates)


def roles_of(route: APIRoute) -> list[str] | None:
    """The roles an operation admits (every gate must pass), or None for a public one."""
    gates, signed_in = _gates(route.dependant)
    if not signed_in:
        return None
    return [r for r in ROLES if all(r in gate.roles for gate in gates)]


def install_openapi(app: FastAPI, routers: Sequence[APIRouter]) -> None:
    """Serve the generated document with `x-roles` added; `routers` are the ones the app includes, unprefixed."""
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=DESCRIPTION, routes=app.routes)
            for route in routes:
                roles = roles_of(route)
                for method in route.methods or ():
                    operation = schema["paths"][route.path_format][method.lower()]
                    if roles is None:
                        operation["x-public"] = True
                        continue
                    operation["x-roles"] = roles
                    described = operation.get("description", "") + f"\n\nRoles: {', '.join(roles)}."
                    operation["description"] = described.strip()
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
