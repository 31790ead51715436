"""Liveness and readiness: answers only when the database does."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from codesensei import __version__
from codesensei.api.deps import SessionDep

router = APIRouter(prefix="/api", tags=["health"])


class Health(BaseModel):
    status: str
    version: str


@router.get("/health")
def health(session: SessionDep) -> Health:
    session.execute(text("SELECT 1"))
    return Health(status="ok", version=__version__)
