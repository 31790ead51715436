"""Properties every grader keeps: bounded points, full marks for the key, and indifference to option order."""

from __future__ import annotations

from typing import Any

from grading_strategies import (
    any_text,
    essay_questions,
    fill_blank_questions,
    key_answer,
    make,
    matching_questions,
    mcq_multi_questions,
    mcq_questions,
    ordering_questions,
    phrases,
    short_answer_questions,
    source_code_questions,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from codesensei.bank.model import (
    AnyQuestion,
    CodeQuestion,
    EssayQuestion,
    FillBlankQuestion,
    MatchingQuestion,
    McqMultiQuestion,
    McqQuestion,
    OrderingQuestion,
)
from codesensei.grading import ExecutedTest, GradeResult, grade, grade_code

FAST = settings(max_examples=60, deadline=None)

true_false_questions = st.builds(
    lambda answer, partial: make(type="true_false", answer=answer, points=2.5, partial_credit=partial),
    st.booleans(),
    st.booleans(),
)


AUTO_GRADED = st.one_of(
    mcq_questions(),
    mcq_multi_questions(),
    true_false_questions,
    short_answer_questions(),
    fill_blank_questions(),
    matching_questions(),
    ordering_questions(),
    essay_questions(),
)


def candidate_answer(draw: st.DataObject, question: AnyQuestion) -> object:
    """Any answer of the right shape for the question, right or wrong."""
    if isinstance(question, McqQuestion):
        return draw.draw(st.sampled_from([o.key for o in question.options]))
    if isinstance(question, McqMultiQuestion):
        return draw.draw(st.lists(st.sampled_from([o.key for o in question.options])))
    if isinstance(question, FillBlankQuestion):
        values = st.one_of(any_text, phrases, st.integers(-600, 600).map(str))
        return draw.draw(st.lists(values, min_size=len(question.blanks), max_size=len(question.blanks)))
    if isinstance(question, MatchingQuestion):
        rights = [p.right for p in question.pairs] + question.distractors
        lefts = st.sampled_from([p.left for p in question.pairs])
        return draw.draw(st.dictionaries(lefts, st.sampled_from(rights)))
    if isinstance(question, OrderingQuestion):
        return draw.draw(st.permutations(question.items))
    if question.type == "true_false":
        return draw.draw(st.sampled_from([True, False, "true", "false", " TRUE "]))
    key = key_answer(question)
    assert isinstance(key, str)
    # Free text: noise, the key itself, or the key with parts cut away or case changed.
    return draw.draw(st.one_of(any_text, st.just(key), st.just(key.upper()), st.just(key[: len(key) // 2])))


def assert_bounded(result: GradeResult, question: AnyQuestion) -> None:
    assert result.points_possible == question.points
    assert 0.0 <= result.points_earned <= question.points
    if not question.partial_credit:
        assert result.points_earned in (0.0, question.points)
    assert result.correct == (result.points_earned == question.points)


@FAST
@given(AUTO_GRADED, st.data())
def test_points_stay_within_zero_and_the_maximum(question: AnyQuestion, data: st.DataObject) -> None:
    assert_bounded(grade(question, candidate_answer(data, question)), question)


@FAST
@given(AUTO_GRADED)
def test_the_key_answer_earns_full_marks(question: AnyQuestion) -> None:
    result = grade(question, key_answer(question))
    if isinstance(question, EssayQuestion) and question.grading.method != "keywords":
        assert result.needs_review
        assert result.points_earned == 0.0
    else:
        assert not result.needs_review
        assert result.points_earned == question.points
        assert result.correct


@FAST
@given(source_code_questions(), st.text(max_size=80), st.data())
def test_code_points_stay_within_zero_and_the_maximum(question: AnyQuestion, source: str, data: Any) -> None:
    assert isinstance(question, CodeQuestion)
    outcome = st.builds(ExecutedTest, st.sampled_from(["a", "b"]), st.just(1.0), st.booleans())
    extra = data.draw(st.lists(outcome))
    result = grade_code(question, source, extra)
    assert_bounded(result, question)


def reordered(question: AnyQuestion, data: st.DataObject) -> AnyQuestion:
    """The same question with its options, pairs and distractors in another order."""
    if isinstance(question, McqQuestion | McqMultiQuestion):
        changes: dict[str, Any] = {"options": data.draw(st.permutations(question.options))}
        if isinstance(question, McqMultiQuestion):
            changes["answer"] = data.draw(st.permutations(question.answer))
        return question.model_copy(update=changes)
    if isinstance(question, MatchingQuestion):
        return question.model_copy(
            update={
                "pairs": data.draw(st.permutations(question.pairs)),
                "distractors": data.draw(st.permutations(question.distractors)),
            }
        )
    return question


def reordered_answer(answer: object, data: st.DataObject) -> object:
    if isinstance(answer, list):
        return data.draw(st.permutations(answer))
    if isinstance(answer, dict):
        return dict(data.draw(st.permutations(list(answer.items()))))
    return answer


@FAST
@given(st.one_of(mcq_questions(), mcq_multi_questions(), matching_questions()), st.data())
def test_option_order_never_changes_the_grade(question: AnyQuestion, data: st.DataObject) -> None:
    answer = candidate_answer(data, question)
    before = grade(question, answer)
    after = grade(reordered(question, data), reordered_answer(answer, data))
    assert (after.points_earned, after.correct) == (before.points_earned, before.correct)
