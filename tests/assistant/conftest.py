from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.model_server import ModelServer
from codesensei.assistant.llm import OpenAICompatibleModel, ProviderConfig


@pytest.fixture
def model_server() -> Iterator[ModelServer]:
    server = ModelServer().start()
    yield server
    server.stop()


@pytest.fixture
def model(model_server: ModelServer) -> Iterator[OpenAICompatibleModel]:
    client = OpenAICompatibleModel(
        ProviderConfig(base_url=model_server.base_url, model="scripted", api_key="k-123", timeout_s=2, backoff_s=0.01)
    )
    yield client
    client.close()
