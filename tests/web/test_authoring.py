"""The authoring and admin pages in a real browser against a real `sensei serve`: the question editor's form
for each of the nine types (with its live preview, and the server's validation errors next to the fields
they name), the assessment builder's dates, accommodations and adaptive rules, and the users page.
What the pages save is read back over the API, so each test checks what reached the server.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from web.conftest import BANK, CHROMIUM, NO_CHROMIUM, Server, Shots, watch_console
from web.test_browser import new_page, sign_in

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

AUTHOR = "writer@example.com"
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def author(server: Server) -> str:
    token = server.account("author", AUTHOR)
    # The browser tests' bank: an adaptive pool needs questions to draw from.
    server.import_bank(token, BANK.read_text())
    return token


def open_new_question(page: Page, question_id: str, type_label: str) -> None:
    page.goto("/bank/edit")
    expect(page.get_by_role("heading", name="New question", level=1)).to_be_visible()
    page.get_by_label("Identifier").fill(question_id)
    page.get_by_label("Type", exact=True).select_option(label=type_label)
    page.get_by_label("Title", exact=True).fill(f"Form-made {type_label}")
    page.get_by_label("Text (Markdown)").fill("What does the form make of this?")


def save(page: Page) -> None:
    page.get_by_role("button", name="Save to the bank").click()
    expect(page.get_by_text("Saved: 1 created")).to_be_visible()


def fill_mcq(page: Page) -> None:
    page.get_by_label("Option 1 text").fill("Heap")
    page.get_by_label("Option 2 text").fill("Stack")
    page.get_by_role("button", name="Add option").click()
    page.get_by_label("Option 3 text").fill("Queue")
    page.locator("#q-opt-correct-1").check()
    expect(page.locator(".editor-preview").get_by_label("Queue")).to_be_visible()


def fill_mcq_multi(page: Page) -> None:
    page.get_by_label("Option 1 text").fill("Merge sort")
    page.get_by_label("Option 2 text").fill("Heapsort")
    page.get_by_role("button", name="Add option").click()
    page.get_by_label("Option 3 text").fill("Insertion sort")
    page.locator("#q-opt-correct-0").check()
    page.locator("#q-opt-correct-2").check()
    expect(page.locator(".editor-preview").get_by_label("Insertion sort")).to_be_visible()


def fill_true_false(page: Page) -> None:
    page.locator("#q-tf-false").check()
    page.get_by_label(re.compile("^Open to practice")).check()


def fill_short_answer(page: Page) -> None:
    page.get_by_label("Grading", exact=True).select_option("numeric")
    page.get_by_label("Tolerance (±)").fill("0.5")
    page.get_by_label("Accepted answer 1", exact=True).fill("7")


def fill_blank(page: Page) -> None:
    page.get_by_label("Text (Markdown)").fill("Binary search halves {{1}} range; it needs {{2}} steps for 8 items.")
    page.get_by_label("Blank 1: accepted answers").fill("the, its")
    page.get_by_role("button", name="Add blank").click()
    page.get_by_label("Blank 2: accepted answers").fill("3")
    page.locator("#q-blank-match-1").select_option("numeric")
    expect(page.locator(".editor-preview").get_by_label("Blank 2")).to_be_visible()


def fill_matching(page: Page) -> None:
    page.get_by_label("Pair 1: left").fill("LIFO")
    page.get_by_label("Pair 1: right").fill("Stack")
    page.get_by_label("Pair 2: left").fill("FIFO")
    page.get_by_label("Pair 2: right").fill("Queue")
    page.get_by_label("Distractors").fill("Trie")
    expect(page.locator(".editor-preview").get_by_label("LIFO")).to_be_visible()


def fill_ordering(page: Page) -> None:
    page.get_by_label("Item 1", exact=True).fill("n")
    page.get_by_label("Item 2", exact=True).fill("log n")
    page.get_by_label("Item 3", exact=True).fill("n²")
    page.get_by_role("button", name="Move item 2 up").click()  # the correct order is log n, n, n²
    expect(page.get_by_label("Item 1", exact=True)).to_have_value("log n")


def fill_essay(page: Page) -> None:
    page.get_by_label("Fewest words").fill("20")
    page.get_by_label("Grading", exact=True).select_option("keywords")
    page.get_by_role("button", name="Add criterion").click()
    page.get_by_label("Criterion 1", exact=True).fill("Method")
    page.locator("#q-crit-weight-0").fill("2")
    page.get_by_label("Key phrases").fill("hypothesis, regression test")
    page.get_by_role("button", name="Add criterion").click()
    page.get_by_label("Criterion 2", exact=True).fill("Clarity")
    page.locator("#q-crit-phrases-1").fill("steps")
    expect(page.get_by_text("Each criterion's share of the points is its weight over 3.")).to_be_visible()


def fill_code(page: Page) -> None:
    page.get_by_label("JavaScript").check()
    page.get_by_label("Entry point (function name)").fill("double")
    page.get_by_label("CPU time limit (s)").fill("1.5")
    page.get_by_label("Starter code for").select_option("javascript")
    editor = page.get_by_role("textbox", name="Starter code, JavaScript")
    editor.click()
    page.keyboard.insert_text("function double(x) {\n}\n")
    page.get_by_label("Test 1 name").fill("doubles-two")
    page.get_by_label("Arguments (a JSON list)").first.fill("[2]")
    page.get_by_label("Expected return value (JSON)").first.fill("4")
    page.get_by_role("button", name="Add test").click()
    page.get_by_label("Test 2 name").fill("hidden-big")
    page.locator("#q-test-args-1").fill("[1000]")
    page.locator("#q-test-expected-1").fill("2000")
    page.locator("#q-test-weight-1").fill("2")
    solution = page.get_by_role("textbox", name="Solution 1, Python")
    solution.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("def double(x):\n    return 2 * x\n")
    preview = page.locator(".editor-preview")
    expect(preview.get_by_text("doubles-two")).to_be_visible()  # a sample test is shown to the candidate
    expect(preview.get_by_text("hidden-big")).to_have_count(0)


def check_mcq(q: dict[str, Any]) -> None:
    assert [o["text"] for o in q["options"]] == ["Heap", "Stack", "Queue"]
    assert q["answer"] == "B"


def check_mcq_multi(q: dict[str, Any]) -> None:
    assert q["answer"] == ["A", "C"]


def check_code(q: dict[str, Any]) -> None:
    assert q["languages"] == ["python", "javascript"]
    assert q["entry_point"] == "double"
    assert q["limits"]["time_s"] == 1.5
    assert "function double" in q["starter"]["javascript"]
    assert [(t["name"], t.get("visibility", "hidden"), t["args"], t["expected"]) for t in q["tests"]] == [
        ("doubles-two", "sample", [2], 4), ("hidden-big", "hidden", [1000], 2000),
    ]
    assert q["tests"][1]["weight"] == 2
    assert "return 2 * x" in q["solutions"][0]["code"]


def check_true_false(q: dict[str, Any]) -> None:
    assert q["answer"] is False
    assert q["practice"] is True


def check_short_answer(q: dict[str, Any]) -> None:
    assert q["answer"] == ["7"]
    assert (q["grading"]["method"], q["grading"]["abs_tol"]) == ("numeric", 0.5)


def check_fill_blank(q: dict[str, Any]) -> None:
    assert [b["accepted"] for b in q["blanks"]] == [["the", "its"], ["3"]]
    assert q["blanks"][1]["match"] == "numeric"


def check_matching(q: dict[str, Any]) -> None:
    assert q["pairs"][0] == {"left": "LIFO", "right": "Stack"}
    assert q["distractors"] == ["Trie"]


def check_ordering(q: dict[str, Any]) -> None:
    assert q["items"] == ["log n", "n", "n²"]


def check_essay(q: dict[str, Any]) -> None:
    rubric = [(c["name"], c.get("weight", 1), c["key_phrases"]) for c in q["grading"]["rubric"]]
    assert rubric == [("Method", 2, ["hypothesis", "regression test"]), ("Clarity", 1, ["steps"])]
    assert q["min_words"] == 20


FORMS: list[tuple[str, str, Callable[[Page], None], Callable[[dict[str, Any]], None]]] = [
    ("mcq", "Multiple choice (one answer)", fill_mcq, check_mcq),
    ("mcq_multi", "Multiple choice (several answers)", fill_mcq_multi, check_mcq_multi),
    ("true_false", "True or false", fill_true_false, check_true_false),
    ("short_answer", "Short answer", fill_short_answer, check_short_answer),
    ("fill_blank", "Fill in the blanks", fill_blank, check_fill_blank),
    ("matching", "Matching", fill_matching, check_matching),
    ("ordering", "Ordering", fill_ordering, check_ordering),
    ("essay", "Essay", fill_essay, check_essay),
    ("code", "Programming", fill_code, check_code),
]


@pytest.mark.parametrize(("kind", "label", "fill", "check"), FORMS, ids=[f[0] for f in FORMS])
def test_the_question_form_makes_each_type(
    browser: Browser, server: Server, author: str, shots: Shots, kind: str, label: str,
    fill: Callable[[Page], None], check: Callable[[dict[str, Any]], None],
) -> None:
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, AUTHOR)
    question_id = f"form-{kind.replace('_', '-')}"
    open_new_question(page, question_id, label)
    fill(page)
    preview = page.locator(".editor-preview")
    expect(preview.get_by_role("heading", name=f"Form-made {label}", exact=True)).to_be_visible()
    shots.take(page, f"30-question-form-{kind}")
    save(page)
    saved = server.ok("GET", f"/api/questions/{question_id}", author)["question"]
    assert (saved["type"], saved["title"]) == (kind, f"Form-made {label}")
    check(saved)
    # The JSON tab shows the same question; an edit there reaches the form.
    page.get_by_role("tab", name="JSON (advanced)").click()
    expect(page.locator(".editor-source .cm-content")).to_contain_text(f'"id": "{question_id}"')
    page.get_by_role("tab", name="Form").click()
    expect(page.get_by_label("Identifier")).to_have_value(question_id)
    assert problems == [], problems
    context.close()


def test_server_errors_show_next_to_their_fields(browser: Browser, server: Server, author: str, shots: Shots) -> None:
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, AUTHOR)
    open_new_question(page, "form-broken", "Programming")
    page.get_by_label("Title", exact=True).fill("")
    page.get_by_label("CPU time limit (s)").fill("0")
    page.get_by_label("Entry point (function name)").fill("")  # call tests need one
    # Checking without saving names the same problems (and writes nothing).
    page.get_by_role("button", name="Check without saving").click()
    expect(page.locator("#q-title-error")).to_contain_text("at least 1 character")
    page.get_by_role("button", name="Save to the bank").click()
    expect(page.get_by_role("alert").filter(has_text="The bank does not accept the question")).to_be_visible()
    problems.clear()  # the refused request (422) is logged by the browser
    title_error = page.locator("#q-title-error")
    expect(title_error).to_contain_text("at least 1 character")
    expect(page.get_by_label("Title", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#q-time-error")).to_contain_text("greater than 0")
    shots.take(page, "31-question-form-errors")
    # Whole-question checks run once every field is valid; their errors land on the field they open with.
    page.get_by_label("Title", exact=True).fill("Fixed now")
    page.get_by_label("CPU time limit (s)").fill("2")
    page.get_by_role("button", name="Save to the bank").click()
    expect(page.locator("#q-entry-error")).to_contain_text("required when tests of kind 'call'")
    expect(title_error).to_have_count(0)
    problems.clear()
    page.get_by_label("Entry point (function name)").fill("solve")
    page.get_by_role("button", name="Check without saving").click()
    expect(page.get_by_text("The bank accepts this question (not saved yet).")).to_be_visible()
    unsaved = server.http.get("/api/questions/form-broken", headers={"Authorization": f"Bearer {author}"})
    assert unsaved.status_code == 404
    save(page)
    expect(title_error).to_have_count(0)
    assert problems == [], problems
    context.close()


def test_the_builder_sets_dates_accommodations_and_adaptive_rules(
    browser: Browser, server: Server, author: str, shots: Shots
) -> None:
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, AUTHOR)
    page.goto("/author/assessments/new")
    page.get_by_label("Identifier").fill("web-adaptive")
    page.get_by_label("Title", exact=True).fill("Adaptive check")
    page.get_by_label("Mode").select_option("adaptive")
    page.get_by_label("Most questions per attempt").fill("8")
    page.get_by_label("Topics (comma-separated)").fill("sorting, graphs")
    page.get_by_label("Opens at (your time)").fill("2031-05-01T09:00")
    page.get_by_label("Closes at (your time)").fill("2031-04-01T09:00")  # before it opens: refused
    page.get_by_role("button", name="Add accommodation").click()
    page.get_by_label("Candidate 1 email").fill("slow.reader@example.com")
    page.get_by_label("Time multiplier").fill("1.5")
    page.get_by_label("Fewest questions before stopping").fill("3")
    page.get_by_label("Stop when the ability's standard error is below").fill("0.4")
    page.get_by_label("Ability estimator").select_option("map")
    page.get_by_role("button", name="Add topic target").click()
    page.get_by_label("Topic 1").fill("sorting")
    page.get_by_label("Share (0 to 1)").fill("0.6")
    page.get_by_label("Feedback", exact=True).select_option("never")
    page.get_by_label("Allow hints").check()
    page.get_by_label("Points off per hint").fill("0.25")
    page.get_by_label("Assistant", exact=True).select_option("hints")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#def-closes-error")).to_contain_text("must be after opens_at")
    problems.clear()  # the refused request (422)
    shots.take(page, "32-builder-errors")
    page.get_by_label("Closes at (your time)").fill("2031-06-01T09:00")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved “Adaptive check” as draft")).to_be_visible()
    shots.take(page, "33-builder-adaptive")
    saved = server.ok("GET", "/api/assessments/web-adaptive/definition", author)["definition"]
    assert saved["mode"] == "adaptive"
    assert saved["question_count"] == 8
    assert saved["pool"]["topics"] == ["sorting", "graphs"]
    assert saved["accommodations"] == {"slow.reader@example.com": {"extra_time_multiplier": 1.5}}
    assert {k: saved["adaptive"][k] for k in ("min_items", "se_threshold", "estimator", "topic_targets")} == {
        "min_items": 3, "se_threshold": 0.4, "estimator": "map", "topic_targets": {"sorting": 0.6},
    }
    assert (saved["feedback"]["mode"], saved["hints"], saved["assistant"]["mode"]) == (
        "never", {"allowed": True, "penalty": 0.25}, "hints",
    )
    assert saved["opens_at"] < saved["closes_at"]
    # Editing the draft brings every part back into the form.
    page.goto("/author/assessments/new?from=web-adaptive")
    expect(page.get_by_role("heading", name="Edit draft: Adaptive check", level=1)).to_be_visible()
    expect(page.get_by_label("Candidate 1 email")).to_have_value("slow.reader@example.com")
    expect(page.get_by_label("Ability estimator")).to_have_value("map")
    expect(page.get_by_label("Opens at (your time)")).to_have_value(re.compile(r"^2031-0[45]-"))
    assert problems == [], problems
    context.close()


def test_an_administrator_manages_users(browser: Browser, server: Server, shots: Shots) -> None:
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, server.admin_email, server.admin_password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    page.get_by_label("Email", exact=True).fill("newcomer@example.com")
    page.get_by_label("Name", exact=True).fill("New Comer")
    page.get_by_label("Role", exact=True).select_option("reviewer")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Created newcomer@example.com (reviewer).")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("newcomer@example.com"))
    expect(row).to_be_visible()
    row.get_by_label("Role of newcomer@example.com").select_option("author")
    expect(page.get_by_text("newcomer@example.com is now an active author account.")).to_be_visible()
    row.get_by_role("button", name="Password-reset link for newcomer@example.com").click()
    reset = page.get_by_role("region", name="Password-reset link for newcomer@example.com")
    expect(reset).to_contain_text("/reset-password#token=")
    row.get_by_role("button", name="Turn off newcomer@example.com").click()
    expect(row).to_contain_text("turned off")
    shots.take(page, "34-users")
    page.get_by_label("Show").select_option("author")
    expect(page.get_by_role("row", name=re.compile("newcomer@example.com"))).to_be_visible()
    admin = server.login(server.admin_email, server.admin_password)
    found = [u for u in server.ok("GET", "/api/users", admin)["users"] if u["email"] == "newcomer@example.com"]
    assert [(u["role"], u["active"], u["name"]) for u in found] == [("author", False, "New Comer")]
    # A duplicate address is refused, with the reason shown.
    page.get_by_label("Email", exact=True).fill("newcomer@example.com")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_be_visible()
    problems.clear()  # the refused request
    # The page is the administrator's: an author is turned away.
    context.close()
    server.account("author", "not.admin@example.com")
    context, page = new_page(browser, server)
    sign_in(page, "not.admin@example.com")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Users")).to_have_count(0)
    page.goto("/admin/users")
    expect(page.get_by_role("heading", name="Not available", level=1)).to_be_visible()
    context.close()


def test_archiving_questions_and_assessments(browser: Browser, server: Server, author: str, shots: Shots) -> None:
    definition = {
        "id": "web-old", "title": "Old check", "mode": "fixed", "questions": ["web-dijkstra"], "access": "public",
    }
    server.ok("POST", "/api/assessments", author, status=201, json=definition)
    server.ok("POST", "/api/assessments/web-old/publish", author)
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, AUTHOR)

    page.goto("/bank/edit?id=web-growth")
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("button", name="Bring back from the archive")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Question bank").click()
    expect(page.get_by_role("link", name="Divide and conquer")).to_be_visible()
    expect(page.get_by_role("link", name="Growth rates")).to_have_count(0)
    page.get_by_label("Archived too").check()
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("row", name=re.compile("Growth rates")).locator(".badge-status")).to_have_text("archived")
    shots.take(page, "35-bank-archived")
    assert server.ok("GET", "/api/questions/web-growth", author)["active"] is False

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Manage assessments").click()
    page.get_by_role("button", name="Archive Old check").click()
    expect(page.get_by_role("row", name=re.compile("Old check"))).to_have_count(0)
    page.get_by_label("Show archived assessments").check()
    row = page.get_by_role("row", name=re.compile("Old check"))
    expect(row.locator(".badge-status")).to_have_text("archived")
    row.get_by_role("button", name="Unarchive Old check").click()
    expect(row.locator(".badge-status")).to_have_text("published")
    assert problems == [], problems
    context.close()
