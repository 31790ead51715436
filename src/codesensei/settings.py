"""Typed settings read from the environment (prefix SENSEI_); unsafe combinations are refused at start."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    runner_slots: int = Field(default=0, ge=0, description="warm boxes per language; 0 = number of cores")
    # An OpenAI-compatible model server (hosted API, Ollama, vLLM, llama.cpp); unset = the offline assistant.
    llm_base_url: str | None = None
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    assistant_token_budget: int = Field(default=20_000, ge=0, description="model tokens per attempt")

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
