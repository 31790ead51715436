"""The published JSON Schema of the bank file format (`sensei bank schema`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from codesensei.bank.model import Question, QuestionDefaults


class BankDocument(BaseModel):
    """A bank file: a list of questions (a file may also hold a bare list or a single question)."""

    model_config = ConfigDict(extra="forbid", title="Code Sensei question bank")
    defaults: QuestionDefaults | None = Field(  # type: ignore[valid-type]
        default=None,
        description="values for every question of the file that does not set them itself (a key it sets replaces "
        "the default whole); for example `{practice: true}` opens the whole file to practice",
    )
    questions: list[Question] = Field(default_factory=list)


def bank_json_schema() -> dict[str, Any]:
    schema = BankDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://codesensei.dev/schemas/bank.json"
    return schema
