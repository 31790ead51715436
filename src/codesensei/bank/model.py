"""The canonical question model: the nine question types, their answer keys, tests and IRT parameters.

Every other domain reads questions through these Pydantic models. Files, the database and the API
all validate through them, so an error always names the field path where it happened.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

QuestionType = Literal[
    "mcq", "mcq_multi", "true_false", "short_answer", "fill_blank", "matching", "ordering", "essay", "code"
]
QUESTION_TYPES: tuple[str, ...] = (
    "mcq", "mcq_multi", "true_false", "short_answer", "fill_blank", "matching", "ordering", "essay", "code",
)
DifficultyLabel = Literal["easy", "medium", "hard"]
Visibility = Literal["sample", "hidden"]
TextMatch = Literal["exact", "contains", "regex", "numeric"]

# A blank in fill-in-the-blank text is written {{1}}, {{2}}, … in the order of `blanks`.
BLANK_MARKER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)


class Option(Strict):
    key: str = Field(min_length=1, max_length=40)
    text: str


class IrtParams(Strict):
    """Item parameters: P(θ) = c + (1 − c) / (1 + exp(−a(θ − b))); `steps` are GPCM step difficulties."""

    model: Literal["1pl", "2pl", "3pl", "gpcm"] = "2pl"
    a: float = Field(default=1.0, gt=0, le=10)
    b: float = Field(default=0.0, ge=-6, le=6)
    c: float = Field(default=0.0, ge=0, lt=1)
    steps: list[float] | None = None


class Criterion(Strict):
    """One rubric criterion: its weight in the question's points and the phrases that evidence it."""

    name: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    description: str = ""
    key_phrases: list[str] = Field(default_factory=list)
    # Fraction of key phrases that earns full credit for this criterion (1.0 = all of them).
    required_fraction: float = Field(default=1.0, gt=0, le=1)


class Grading(Strict):
    """How a text answer is compared with its key; `rubric` drives keyword and AI grading."""

    method: Literal["exact", "contains", "regex", "numeric", "keywords", "ai", "manual"] = "exact"
    case_sensitive: bool = False
    abs_tol: float = Field(default=0.0, ge=0)
    rel_tol: float = Field(default=0.0, ge=0)
    rubric: list[Criterion] = Field(default_factory=list)
    ordering_measure: Literal["lcs", "kendall"] = "lcs"


class QuestionBase(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
    title: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1)
    topics: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    difficulty: DifficultyLabel | Annotated[float, Field(ge=0, le=1)] = "medium"
    points: float = Field(default=1.0, gt=0)
    partial_credit: bool = True
    explanation: str = ""
    hints: list[str] = Field(default_factory=list)
    irt: IrtParams | None = None
    grading: Grading = Field(default_factory=Grading)
    # Practice shows answers and explanations right after each answer, so only the author can open a question
    # to it: a question of a hiring assessment must never have its key handed out by a practice session.
    practice: bool = Field(
        default=False,
        description="open to practice sessions, which show the answer and explanation after each answer",
    )

    @property
    def difficulty_level(self) -> DifficultyLabel:
        """The label used for filters and per-scope metrics (`easy#arrays`)."""
        if isinstance(self.difficulty, str):
            return self.difficulty
        if self.difficulty < 0.34:
            return "easy"
        return "medium" if self.difficulty < 0.67 else "hard"

    @property
    def difficulty_value(self) -> float:
        if isinstance(self.difficulty, float | int):
            return float(self.difficulty)
        return {"easy": 0.2, "medium": 0.5, "hard": 0.8}[self.difficulty]


def _unique_keys(options: list[Option]) -> list[Option]:
    keys = [o.key for o in options]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError(f"duplicate option keys: {', '.join(duplicates)}")
    return options


class McqQuestion(QuestionBase):
    type: Literal["mcq"] = "mcq"
    options: list[Option] = Field(min_length=2)
    answer: str

    _check_options = field_validator("options")(_unique_keys)

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> McqQuestion:
        if self.answer not in {o.key for o in self.options}:
            raise ValueError(f"answer {self.answer!r} is not one of the option keys")
        return self


class McqMultiQuestion(QuestionBase):
    type: Literal["mcq_multi"] = "mcq_multi"
    options: list[Option] = Field(min_length=2)
    answer: list[str] = Field(min_length=1)

    _check_options = field_validator("options")(_unique_keys)

    @model_validator(mode="after")
    def _answers_are_options(self) -> McqMultiQuestion:
        unknown = sorted(set(self.answer) - {o.key for o in self.options})
        if unknown:
            raise ValueError(f"answer keys not among the options: {', '.join(unknown)}")
        return self


class TrueFalseQuestion(QuestionBase):
    type: Literal["true_false"] = "true_false"
    answer: bool


class ShortAnswerQuestion(QuestionBase):
    """Accepted answers compared by `grading.method`; `keywords`/`ai` grade by `grading.rubric`."""

    type: Literal["short_answer"] = "short_answer"
    answer: list[str] = Field(default_factory=list)

    @field_validator("answer", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return [str(value)]
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _has_a_key(self) -> ShortAnswerQuestion:
        if self.grading.method in ("keywords", "ai"):
            if not self.grading.rubric:
                raise ValueError(f"grading.method {self.grading.method!r} needs grading.rubric")
        elif self.grading.method != "manual" and not self.answer:
            raise ValueError("answer: at least one accepted answer is required")
        if self.grading.method == "regex":
            for pattern in self.answer:
                re.compile(pattern)
        return self


class Blank(Strict):
    accepted: list[str] = Field(min_length=1)
    match: TextMatch = "exact"
    case_sensitive: bool = False
    abs_tol: float = Field(default=0.0, ge=0)
    weight: float = Field(default=1.0, gt=0)

    @field_validator("accepted", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [str(value)] if isinstance(value, str | int | float) else value


class FillBlankQuestion(QuestionBase):
    """Text holds {{1}}, {{2}}, … markers, one per entry of `blanks`, in order."""

    type: Literal["fill_blank"] = "fill_blank"
    blanks: list[Blank] = Field(min_length=1)

    @model_validator(mode="after")
    def _markers_match_blanks(self) -> FillBlankQuestion:
        numbers = sorted(int(n) for n in BLANK_MARKER.findall(self.text))
        if numbers != list(range(1, len(self.blanks) + 1)):
            raise ValueError(
                f"text must hold the markers {{{{1}}}}..{{{{{len(self.blanks)}}}}} once each, found {numbers}"
            )
        return self


class Pair(Strict):
    left: str = Field(min_length=1)
    right: str = Field(min_length=1)


class MatchingQuestion(QuestionBase):
    """Match each left item to a right item; `distractors` are extra right items that match nothing."""

    type: Literal["matching"] = "matching"
    pairs: list[Pair] = Field(min_length=2)
    distractors: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _lefts_unique(self) -> MatchingQuestion:
        lefts = [p.left for p in self.pairs]
        if len(set(lefts)) != len(lefts):
            raise ValueError("pairs: every left item must be unique")
        return self


class OrderingQuestion(QuestionBase):
    """`items` are listed in the correct order; candidates see them shuffled."""

    type: Literal["ordering"] = "ordering"
    items: list[str] = Field(min_length=2)

    @model_validator(mode="after")
    def _items_unique(self) -> OrderingQuestion:
        if len(set(self.items)) != len(self.items):
            raise ValueError("items: every item must be unique")
        return self


class EssayQuestion(QuestionBase):
    type: Literal["essay"] = "essay"
    model_answer: str = ""
    min_words: int = Field(default=0, ge=0)
    max_words: int | None = Field(default=None, gt=0)
    grading: Grading = Field(default_factory=lambda: Grading(method="manual"))

    @model_validator(mode="after")
    def _rubric_for_keywords(self) -> EssayQuestion:
        if self.grading.method in ("keywords", "ai") and not self.grading.rubric:
            raise ValueError(f"grading.method {self.grading.method!r} needs grading.rubric")
        return self


# ---- code questions -------------------------------------------------------------------------------

CheckerName = Literal["exact", "tokens", "float", "unordered_lines", "case_insensitive", "custom"]


class CustomChecker(Strict):
    """A checker program, run in the sandbox with files `input`, `expected`, `output`; exit 0 = accepted."""

    language: str
    code: str


class Checker(Strict):
    name: CheckerName = "exact"
    abs_tol: float = Field(default=1e-6, ge=0)
    rel_tol: float = Field(default=1e-6, ge=0)
    program: CustomChecker | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _custom_has_program(self) -> Checker:
        if self.name == "custom" and self.program is None:
            raise ValueError("checker 'custom' needs a program")
        return self


class TestBase(Strict):
    name: str = Field(min_length=1, max_length=200)
    visibility: Visibility = "hidden"
    weight: float = Field(default=1.0, gt=0)


class ExpectedOutputTest(TestBase):
    """A test compared with an expected value; a `generated` one gets input and expected value at verify/judge time."""

    generated: bool = False

    @model_validator(mode="before")
    @classmethod
    def _generated_has_no_expected_yet(cls, value: Any) -> Any:
        # `expected` stays a required field, so a missing one is reported at its own path.
        if isinstance(value, dict) and value.get("generated") and "expected" not in value:
            return {**value, "expected": None}
        return value


class StdioTest(ExpectedOutputTest):
    kind: Literal["stdio"] = "stdio"
    input: str = ""
    expected: str | None = Field(...)
    checker: Checker | None = None

    @field_validator("expected", "input", mode="before")
    @classmethod
    def _scalars_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _expects_text(self) -> StdioTest:
        if self.expected is None and not self.generated:
            raise ValueError("expected: a stdio test needs the expected output text")
        return self


class CallTest(ExpectedOutputTest):
    kind: Literal["call"] = "call"
    args: list[Any] = Field(default_factory=list)
    expected: Any = Field(...)
    checker: Checker | None = None


class ScriptTest(TestBase):
    kind: Literal["script"] = "script"
    language: str
    code: str = Field(min_length=1)


class SourceTest(TestBase):
    """A check of the submitted text itself; nothing is executed."""

    kind: Literal["source"] = "source"
    check: Literal["contains", "not_contains", "regex"] = "contains"
    expected: str = Field(min_length=1)
    case_sensitive: bool = True


TestCase = Annotated[StdioTest | CallTest | ScriptTest | SourceTest, Field(discriminator="kind")]
TEST_KINDS: tuple[str, ...] = ("stdio", "call", "script", "source")


class Limits(Strict):
    time_s: float = Field(default=2.0, gt=0, le=60)
    memory_mb: int = Field(default=256, ge=16, le=4096)
    output_kb: int = Field(default=1024, ge=1, le=65536)


class Solution(Strict):
    """A reference (`accepted`), known-wrong (`wrong`) or too-slow (`slow`) program for `bank verify`."""

    language: str
    code: str
    expect: Literal["accepted", "wrong", "slow"] = "accepted"


class Generator(Strict):
    """A program whose stdout fills the `generated: true` test named `test`.

    For a `stdio` test the output is the test's stdin; for a `call` test it is a JSON array of arguments.
    The expected value comes from running the question's accepted Python solution on that input.
    """

    language: str = "python"
    code: str
    test: str


ValueType = Literal["any", "ListNode", "TreeNode"]


class CodeQuestion(QuestionBase):
    type: Literal["code"] = "code"
    languages: list[str] = Field(default_factory=lambda: ["python"], min_length=1)
    starter: dict[str, str] = Field(default_factory=dict)
    entry_point: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    arg_types: list[ValueType] = Field(default_factory=list)
    return_type: ValueType = "any"
    tests: list[TestCase] = Field(min_length=1)
    checker: Checker = Field(default_factory=Checker)
    limits: Limits = Field(default_factory=Limits)
    solutions: list[Solution] = Field(default_factory=list)
    generator: Generator | None = None

    @model_validator(mode="after")
    def _consistent_tests(self) -> CodeQuestion:
        kinds = {t.kind for t in self.tests}
        if "stdio" in kinds and kinds & {"call", "script"}:
            raise ValueError("tests: a question's executed tests are either all stdio or all call/script")
        if kinds & {"call"} and not self.entry_point:
            raise ValueError("entry_point: required when tests of kind 'call' are present")
        names = [t.name for t in self.tests]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"tests: duplicate test names: {', '.join(duplicates)}")
        generated = [t.name for t in self.tests if isinstance(t, ExpectedOutputTest) and t.generated]
        if generated and (self.generator is None or generated != [self.generator.test]):
            raise ValueError(f"tests: generated tests {generated} need a generator whose `test` names that one test")
        if self.generator is not None and self.generator.test not in generated:
            raise ValueError(f"generator.test: {self.generator.test!r} is not a test marked `generated: true`")
        if generated and not any(s.expect == "accepted" and s.language == "python" for s in self.solutions):
            raise ValueError("solutions: a generated test needs an accepted python solution to compute its expected")
        unknown = sorted(set(self.starter) - set(self.languages))
        if unknown:
            raise ValueError(f"starter: languages not listed in `languages`: {', '.join(unknown)}")
        return self

    @property
    def executed_tests(self) -> list[StdioTest | CallTest | ScriptTest]:
        return [t for t in self.tests if not isinstance(t, SourceTest)]

    @property
    def source_tests(self) -> list[SourceTest]:
        return [t for t in self.tests if isinstance(t, SourceTest)]


def _defaults_model() -> type[Strict]:
    """Every field all question types share (except `id`), each optional: what a bank file's `defaults` may set.

    Built from `QuestionBase`, so a field added there can be defaulted at once, with the same constraints."""
    fields: dict[str, Any] = {
        name: (
            Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation,
            Field(default=None, description=info.description),
        )
        for name, info in QuestionBase.model_fields.items()
        if name != "id"
    }
    return create_model(
        "QuestionDefaults", __base__=Strict, __doc__="Values for every question of a file that does not set them.",
        **fields,
    )


QuestionDefaults = _defaults_model()


AnyQuestion = (
    McqQuestion
    | McqMultiQuestion
    | TrueFalseQuestion
    | ShortAnswerQuestion
    | FillBlankQuestion
    | MatchingQuestion
    | OrderingQuestion
    | EssayQuestion
    | CodeQuestion
)
# Validation goes through the `type` tag straight to the right model, so errors name that model's fields.
Question = Annotated[AnyQuestion, Field(discriminator="type")]


class CodeAnswer(Strict):
    """A candidate's program: the answer to a `code` question."""

    language: str
    source: str = Field(max_length=65536)
