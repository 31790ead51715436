"""Typed settings read from the environment (prefix SENSEI_); unsafe combinations are refused at start."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from codesensei.errors import ConfigurationError

DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - the placeholder we refuse outside dev


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SENSEI_", env_file=None, extra="ignore")

    mode: Literal["development", "production"] = "development"
    data_dir: Path = Path(".sensei")
    database_url: str | None = None
    secret_key: str = DEVELOPMENT_SECRET
    # Import the packaged sample and starter banks on the first start (tests turn both off).
    load_sample_bank: bool = True
    # Where the starter bank is read from on the first start (None: the one shipped in the package).
    starter_bank_dir: Path | None = None
    sandbox: Literal["bwrap", "none"] = "bwrap"
    runner_slots: int = Field(default=0, ge=0, description="warm boxes per language; 0 = two per core")
    # An OpenAI-compatible model server (hosted API, Ollama, vLLM, llama.cpp); unset = the offline assistant.
    llm_base_url: str | None = None
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    assistant_token_budget: int = Field(default=20_000, ge=0, description="model tokens per attempt")
    # The HTTP API (`sensei serve`): token lifetimes, links, the body limit, browser origins.
    access_token_ttl_s: int = Field(default=15 * 60, ge=1, description="lifetime of an access token (JWT)")
    refresh_token_ttl_s: int = Field(default=14 * 24 * 3600, ge=60, description="lifetime of a refresh token")
    invitation_ttl_hours: float = Field(default=7 * 24, gt=0, description="how long an invitation link can be claimed")
    password_reset_ttl_s: int = Field(default=3600, ge=60, description="how long a password-reset link works")
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="largest request body the API accepts")
    # Origins of browser apps allowed to call the API (CORS): a JSON list or comma-separated; none by default.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Base of the invitation and password-reset links; unset = the address the request was sent to.
    public_url: str | None = None
    # Rate limits per minute (0 = unlimited): running, submitting and the assistant per user; sign-in, refresh
    # and link claims per client address (a class behind one NAT claims its invitations from one address).
    rate_run_per_minute: float = Field(default=30, ge=0)
    rate_submit_per_minute: float = Field(default=10, ge=0)
    rate_assistant_per_minute: float = Field(default=10, ge=0)
    rate_login_per_minute: float = Field(default=30, ge=0)
    # WebSocket jobs: worker threads (sandbox runs, model calls), and how long a finished job's events are
    # kept for a client that reconnects.
    ws_job_threads: int = Field(default=16, ge=1)
    # Worker threads for the API's blocking work (endpoints, dependencies, commits); requests beyond them wait
    # on the event loop. 40 is AnyIO's default.
    api_threads: int = Field(default=40, ge=2)
    ws_replay_ttl_s: float = Field(default=300, gt=0)
    # Threads that hash and verify passwords (argon2id, CPU-bound by design); 0 = half the cores. Sign-ins
    # beyond them queue, so a burst of them never takes the threads every other request needs.
    password_threads: int = Field(default=0, ge=0)
    # A refresh token presented again within this many seconds of its use gets the same new pair (the client
    # lost the response and retried) instead of counting as reuse, which would end the sign-in session.
    refresh_grace_s: float = Field(default=10.0, ge=0, le=60)
    # How long a new WebSocket may take to send its `auth` message before it is closed.
    ws_auth_timeout_s: float = Field(default=10.0, gt=0)
    # Redis (redis://host:port/db) for WebSocket job events shared by several API processes (`--workers`);
    # unset = kept in each process, which is enough for one.
    redis_url: str | None = None
    # Database connections each process may open; 0 = the default (the API: 48; commands: SQLAlchemy's 5 + 10).
    database_pool_size: int = Field(default=0, ge=0)
    # The administrator account the first `sensei serve` creates (with a one-time password it prints once).
    admin_email: str = "admin@localhost"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.mode == "production" and (self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32):
            raise ConfigurationError(
                "SENSEI_SECRET_KEY is missing or is the development placeholder while SENSEI_MODE=production. "
                "Set it to a long random value, e.g. "
                "`export SENSEI_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')`."
            )
        if self.llm_base_url and not self.llm_model:
            raise ConfigurationError("SENSEI_LLM_BASE_URL is set but SENSEI_LLM_MODEL is not; name the model to use.")
        if self.mode == "production" and self.sandbox == "none":
            raise ConfigurationError(
                "SENSEI_SANDBOX=none runs candidate code unconfined; it is refused in production mode. "
                "Install bubblewrap (`apt-get install bubblewrap`) and unset SENSEI_SANDBOX."
            )
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sensei.db').resolve()}"


def load_settings() -> Settings:
    """Read settings now (never at import time), so tests and commands can set the environment first."""
    return Settings()
