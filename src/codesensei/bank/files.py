"""Reading and writing bank files (YAML or JSON, one file or a folder) with errors that name file, question and field.

A document is `{questions: [...]}` (optionally with `defaults: {...}`, field values for every question that does
not set them), a bare list of questions, or a single question. Questions written in the ADR's import dialect are
mapped onto the canonical model by `bank.adr`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from codesensei.bank.adr import from_adr, looks_like_adr
from codesensei.bank.identity import derive_question_id
from codesensei.bank.model import QUESTION_TYPES, TEST_KINDS, AnyQuestion, Question, QuestionDefaults
from codesensei.bulk import collector_paused
from codesensei.errors import ValidationFailed

BANK_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 32 * 1024 * 1024

_question_adapter: TypeAdapter[AnyQuestion] = TypeAdapter(Question)


class BankFileError(ValidationFailed):
    """One or more problems in bank files; `problems` holds one line per problem."""

    code = "bank_file_invalid"

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class BankFile:
    path: str
    questions: list[AnyQuestion]


def _format_location(loc: Sequence[int | str]) -> str:
    # Discriminated unions put the tag (question type, test kind) into the location; a reader
    # thinks in field paths, so drop the tags.
    parts: list[str] = []
    for index, part in enumerate(loc):
        is_type_tag = index == 0 and part in QUESTION_TYPES
        is_kind_tag = index > 0 and part in TEST_KINDS and isinstance(loc[index - 1], int)
        if isinstance(part, str) and (is_type_tag or is_kind_tag):
            continue
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif parts:
            parts.append(f".{part}")
        else:
            parts.append(part)
    return "".join(parts) or "(question)"


def _format_message(error: Any) -> str:
    if error["type"] == "missing":
        return "required"
    if error["type"] == "extra_forbidden":
        return "unknown field"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def validate_defaults(raw: Any, *, source: str) -> tuple[dict[str, Any], list[str]]:
    """Check a file's `defaults` mapping on its own, so a bad value is reported once, as `defaults.<field>`."""
    if not isinstance(raw, dict):
        return {}, [f"{source}: defaults: expected a mapping of question fields, got {type(raw).__name__}"]
    try:
        QuestionDefaults.model_validate(raw)
    except ValidationError as exc:
        return {}, [
            f"{source}: defaults.{_format_location(err['loc'])}: {_format_message(err)}" for err in exc.errors()
        ]
    return dict(raw), []


def validate_question(
    raw: Any, *, source: str, index: int, defaults: dict[str, Any] | None = None
) -> tuple[AnyQuestion | None, list[str]]:
    """Validate one raw question, its own keys over the file's `defaults` (a key it sets replaces the default
    whole); return it, or the problems found, each naming file, question and field."""
    if not isinstance(raw, dict):
        return None, [f"{source}: question #{index + 1}: expected a mapping, got {type(raw).__name__}"]
    data = dict(raw)
    if looks_like_adr(data):
        data = from_adr(data)
    # Defaults use canonical field names, so they go in after the ADR dialect has been mapped onto them.
    data = {**(defaults or {}), **data}
    if "id" not in data and isinstance(data.get("type"), str) and isinstance(data.get("text"), str):
        data["id"] = derive_question_id(data["type"], data["text"])
    label = f"question '{data['id']}'" if isinstance(data.get("id"), str) else f"question #{index + 1}"
    if data.get("type") not in QUESTION_TYPES:
        return None, [
            f"{source}: {label}: type: must be one of {', '.join(QUESTION_TYPES)} (got {data.get('type')!r})"
        ]
    try:
        return _question_adapter.validate_python(data), []
    except ValidationError as exc:
        return None, [
            f"{source}: {label}: {_format_location(err['loc'])}: {_format_message(err)}" for err in exc.errors()
        ]


def _parse_text(text: str, source: str) -> Any:
    if text.lstrip()[:1] in ("{", "["):
        # JSON goes through the C parser: large exported banks load many times faster than through YAML.
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            if source.endswith(".json"):
                where = f"line {exc.lineno}, column {exc.colno}"
                raise BankFileError([f"{source}: not valid JSON ({where}): {exc.msg}"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BankFileError([f"{source}: not valid YAML or JSON{where}: {problem}"]) from None


def parse_document(text: str, *, source: str) -> list[AnyQuestion]:
    """Parse one file's text (YAML is a superset of JSON); all-or-nothing: any problem fails the file."""
    document = _parse_text(text, source)
    defaults: dict[str, Any] = {}
    if isinstance(document, dict) and "questions" in document:
        raw_questions = document["questions"]
        if "defaults" in document:
            defaults, wrong = validate_defaults(document["defaults"], source=source)
            if wrong:
                raise BankFileError(wrong)
    elif isinstance(document, dict):
        raw_questions = [document]
    else:
        raw_questions = document
    if not isinstance(raw_questions, list):
        raise BankFileError([f"{source}: expected a list of questions or a mapping with 'questions'"])
    questions: list[AnyQuestion] = []
    problems: list[str] = []
    for index, raw in enumerate(raw_questions):
        question, found = validate_question(raw, source=source, index=index, defaults=defaults)
        problems.extend(found)
        if question is not None:
            questions.append(question)
    seen: dict[str, int] = {}
    for question in questions:
        seen[question.id] = seen.get(question.id, 0) + 1
    problems.extend(f"{source}: question '{qid}': id: used {n} times in this file" for qid, n in seen.items() if n > 1)
    if problems:
        raise BankFileError(problems)
    return questions


def bank_paths(path: Path) -> list[Path]:
    """The bank files under `path` (itself, or every YAML/JSON file below a folder, sorted)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in BANK_SUFFIXES)
    if not path.exists():
        raise BankFileError([f"{path}: no such file or folder"])
    return [path]


def read_bank_file(path: Path) -> BankFile:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BankFileError([f"{path}: {size} bytes is over the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit"])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BankFileError([f"{path}: not UTF-8 text (byte {exc.start})"]) from None
    return BankFile(path=str(path), questions=parse_document(text, source=str(path)))


def read_bank(path: Path) -> list[BankFile]:
    """Read every bank file under `path`; collect the problems of all files before failing."""
    files: list[BankFile] = []
    problems: list[str] = []
    with collector_paused():
        for file_path in bank_paths(path):
            try:
                files.append(read_bank_file(file_path))
            except BankFileError as exc:
                problems.extend(exc.problems)
    if problems:
        raise BankFileError(problems)
    return files


def load_questions(path: Path | str) -> list[AnyQuestion]:
    """Every question under `path`, validated; raises `BankFileError` naming each problem."""
    return [q for bank_file in read_bank(Path(path)) for q in bank_file.questions]


def question_to_data(question: AnyQuestion) -> dict[str, Any]:
    """The canonical, minimal form of a question for files (defaults left out, so files stay short)."""
    data: dict[str, Any] = question.model_dump(mode="json", exclude_defaults=True)
    data["type"] = question.type
    if question.type == "code":
        # `kind` is the tests' discriminator: it must be written even where it is the default.
        tests = zip(question.tests, data["tests"], strict=True)
        data["tests"] = [{"name": t.name, "kind": t.kind, **d} for t, d in tests]
    return {"id": data.pop("id"), "type": data.pop("type"), **data}


def dump_questions(questions: Iterable[AnyQuestion], fmt: str = "yaml") -> str:
    document = {"questions": [question_to_data(q) for q in questions]}
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
