"""The web app in a real browser against a real `sensei serve`: sign in, claim an invitation, take a mixed
assessment end to end (code typed into the editor, per-test results, every other question type, a reload
half-way through), read the results, and a reviewer's report with grading. Each main page is screenshotted.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from web.conftest import BANK, CHROMIUM, NO_CHROMIUM, STRONG, Server, Shots, watch_console

pytestmark = [
    pytest.mark.browser, pytest.mark.slow, pytest.mark.sandbox,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

QUESTIONS = [
    "web-longest-run", "web-binary-search", "web-stable-sorts", "web-dijkstra", "web-merge-comparisons",
    "web-master-blanks", "web-structures", "web-growth", "web-bug-essay",
]
CANDIDATE = "cand@example.com"
REVIEWER = "reviewer@example.com"
AUTHOR = "author@example.com"
WRONG = "def longest_run(nums):\n    return len(nums)\n"
RIGHT = """\
def longest_run(nums):
    best = current = 0
    previous = object()
    for value in nums:
        current = current + 1 if value == previous else 1
        previous = value
        best = max(best, current)
    return best
"""
ESSAY = "I reproduced it with a failing test, bisected to the commit and fixed an off-by-one in the pager."
TIMEOUT_MS = 120_000  # code is judged in the sandbox during the request, on a shared machine
# Every other expectation waits up to 20 s (Playwright's default is 5 s): CI machines are shared.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def world(server: Server) -> dict[str, Any]:
    """Accounts, the test bank and a published assessment with immediate feedback; the candidate's link."""
    author = server.account("author", AUTHOR)
    server.account("reviewer", REVIEWER)
    imported = server.ok("POST", "/api/questions/import", author, content=BANK.read_text(),
                         headers={"Content-Type": "application/yaml"})
    assert imported["created"] == len(QUESTIONS)
    definition = {
        "id": "web-mixed", "title": "Mixed skills check", "mode": "fixed", "questions": QUESTIONS,
        "instructions": "Nine questions, one of each kind. **Good luck!**",
        "duration_minutes": 60, "passing_score": 50, "feedback": {"mode": "immediate", "show_correct_answers": True},
        "hints": {"allowed": True, "penalty": 0.5}, "assistant": {"mode": "full"},
    }
    server.ok("POST", "/api/assessments", author, status=201, json=definition)
    server.ok("POST", "/api/assessments/web-mixed/publish", author)
    invited = server.ok("POST", "/api/assessments/web-mixed/invitations", author, status=201,
                        json={"emails": [CANDIDATE]})["invitations"][0]
    return {"link": invited["link"], "attempt": None}


def new_page(browser: Browser, server: Server, width: int = 1280, height: int = 800) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": height})
    context.set_default_timeout(30_000)
    return context, context.new_page()


def sign_in(page: Page, email: str, password: str = STRONG) -> None:
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Assessments", level=1, exact=True)).to_be_visible()


def editor_text(page: Page) -> str:
    return str(page.locator(".cm-content").inner_text())


def replace_code(page: Page, code: str) -> None:
    """Select everything in the editor and put `code` in its place, as typing a paste would."""
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def submit_and_continue(page: Page, expect_text: str | None = None) -> None:
    page.get_by_role("button", name="Submit answer").click()
    feedback = page.locator(".feedback")
    expect(feedback).to_be_visible(timeout=TIMEOUT_MS)
    if expect_text:
        expect(feedback).to_contain_text(expect_text)
    page.get_by_role("button", name=re.compile("^(Next question|Review and submit)$")).click()


def wait_for_question(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", name=title, level=2, exact=True)).to_be_visible()


def test_sign_in_shows_errors_and_signs_in(browser: Browser, server: Server, shots: Shots) -> None:
    context, page = new_page(browser, server)
    problems = watch_console(page)
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    shots.take(page, "01-sign-in")
    page.get_by_label("Email").fill(server.admin_email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("email or password is not right")
    problems.clear()  # the browser logs the refused request (401) as a console error
    page.get_by_label("Password").fill(server.admin_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Assessments", level=1, exact=True)).to_be_visible()
    # A signed-in session survives a reload; the navigation offers what an administrator may do.
    page.reload()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Question bank")).to_be_visible()
    # Keyboard: the skip link is the first stop and lands on the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    # Older invitation links (`/#/invite?token=…`) land on the claim page like the API's `/claim#token=…`.
    page.goto("/#/invite?token=abc123")
    expect(page.get_by_role("heading", name="Accept the invitation", exact=True)).to_be_visible()
    assert page.url.endswith("/claim#token=abc123")
    assert problems == []
    context.close()


def test_a_candidate_takes_a_mixed_assessment_and_a_reviewer_grades_it(
    browser: Browser, server: Server, world: dict[str, Any], shots: Shots
) -> None:
    context, page = new_page(browser, server)
    problems = watch_console(page)

    # The invitation link lands on the claim page; claiming signs the candidate in.
    page.goto(world["link"])
    expect(page.get_by_role("heading", name="Accept the invitation", exact=True)).to_be_visible()
    shots.take(page, "02-invitation")
    page.get_by_label("Your name").fill("Cam Candidate")
    page.get_by_label("Choose a password").fill(STRONG)
    page.get_by_role("button", name="Accept and continue").click()
    expect(page.get_by_role("heading", name="Mixed skills check", level=1, exact=True)).to_be_visible()
    expect(page.get_by_text("Good luck!")).to_be_visible()
    shots.take(page, "03-assessment-brief")
    page.get_by_role("link", name="Assessments").click()
    expect(page.get_by_role("link", name="Mixed skills check")).to_be_visible()
    shots.take(page, "04-my-assessments")
    page.get_by_role("link", name="Mixed skills check").click()
    page.get_by_role("button", name="Start").click()

    # 1. Code: starter code in the editor, a language toggle, the sample tests, a timer and progress.
    wait_for_question(page, "Longest run of equal values")
    world["attempt"] = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.get_by_role("timer")).to_contain_text(re.compile(r"\d\d:\d\d"))
    expect(page.get_by_text("Question 1 of 9")).to_be_visible()
    assert "def longest_run" in editor_text(page)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the panes stack
    shots.take(page, "05-narrow-code", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="JavaScript").click()
    expect(page.locator(".cm-content")).to_contain_text("function longest_run")
    page.get_by_role("button", name="Python").click()
    expect(page.locator(".cm-content")).to_contain_text("def longest_run")
    replace_code(page, WRONG)
    page.keyboard.type("# typed by hand\n")
    expect(page.locator(".cm-content")).to_contain_text("typed by hand")

    # Run the sample tests over the attempt's WebSocket: one result per test, as each finishes.
    page.get_by_role("button", name="Run sample tests").click()
    output = page.locator(".output")
    expect(output.locator(".test-row")).to_have_count(2, timeout=TIMEOUT_MS)
    expect(output.locator(".test-row.fail")).to_have_count(1)
    expect(output).to_contain_text("1 of 2 sample tests passed")
    expect(output).to_contain_text("Wrong answer")
    expect(output.locator(".test-row.fail")).to_contain_text("Expected")
    shots.take(page, "05-code-run-failing", full_page=False)

    # Reload half-way: the draft comes back from this browser's storage, and the timer carries on.
    expect(page.get_by_text(re.compile("Draft saved in this browser"))).to_be_visible()
    page.reload()
    wait_for_question(page, "Longest run of equal values")
    expect(page.locator(".cm-content")).to_contain_text("typed by hand")
    assert "return len(nums)" in editor_text(page)

    # A hint, confirmed in a dialog because it costs points.
    page.get_by_role("button", name="Hint (2 left)").click()
    page.get_by_role("dialog", name="Show the next hint?").get_by_role("button", name="Show hint").click()
    expect(page.get_by_role("region", name="Hints")).to_contain_text("Compare each value with the previous one")
    expect(page.get_by_role("button", name="Hint (1 left)")).to_be_visible()

    replace_code(page, RIGHT)
    page.get_by_role("button", name="Run sample tests").click()
    expect(page.locator(".output .test-row.pass")).to_have_count(2, timeout=TIMEOUT_MS)
    # A run on the candidate's own input (JSON arguments of the function).
    page.get_by_text("Try your own input").click()
    page.get_by_label("Input", exact=True).fill("[[4, 4, 4, 4, 4]]")
    page.get_by_role("button", name="Run on this input").click()
    expect(page.locator(".output .test-row")).to_contain_text("5", timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Submit answer").click()
    output = page.locator(".output")
    expect(output).to_contain_text("Answer recorded", timeout=TIMEOUT_MS)
    expect(output).to_contain_text("Passed 4 of 4 tests")
    output.scroll_into_view_if_needed()
    shots.take(page, "06-code-submitted", full_page=False)
    page.get_by_role("button", name="Next question").click()

    # 2. Multiple choice: nothing chosen is refused in the page, then the answer.
    wait_for_question(page, "Binary search cost")
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose an option")
    page.get_by_label("O(log n)").check()
    shots.take(page, "07-multiple-choice", full_page=False)
    submit_and_continue(page, "Correct")

    # 3. Several answers: skip it for now and come back to it from the question navigator.
    wait_for_question(page, "Stable sorts")
    page.get_by_label("Merge sort").check()
    page.get_by_role("button", name="Skip for now").click()
    wait_for_question(page, "Dijkstra and negative edges")
    expect(page.get_by_role("button", name="Go to Question 3: skipped")).to_be_visible()

    # 4. True or false.
    page.get_by_label("False").check()
    submit_and_continue(page, "Correct")

    # 5. Short answer, then a reload before submitting it: the typed text is restored.
    wait_for_question(page, "Merging two lists")
    page.get_by_label("Your answer").fill("7")
    expect(page.get_by_text(re.compile("Draft saved in this browser"))).to_be_visible()
    page.reload()
    wait_for_question(page, "Merging two lists")
    expect(page.get_by_label("Your answer")).to_have_value("7")
    submit_and_continue(page, "Correct")

    # 6. Inline blanks in the text.
    wait_for_question(page, "Divide and conquer")
    page.get_by_label("Blank 1").fill("2")
    page.get_by_label("Blank 2").fill("10")
    shots.take(page, "08-fill-in-the-blanks", full_page=False)
    submit_and_continue(page, "Correct")

    # 7. Matching with selects.
    wait_for_question(page, "The right data structure")
    page.get_by_label("Undo the most recent edit").select_option("Stack")
    page.get_by_label("Visit a graph level by level").select_option("Queue")
    page.get_by_label("Always take the smallest task").select_option("Binary heap")
    shots.take(page, "09-matching", full_page=False)
    submit_and_continue(page, "Correct")

    # 8. Ordering, by keyboard alone: focus an item and move it with Alt+arrows until the order is right.
    wait_for_question(page, "Growth rates")
    wanted = ["log n", "n", "n²", "2ⁿ"]
    items = page.locator(".order-item .order-text")
    for target, text in enumerate(wanted):
        current = items.all_inner_texts().index(text)
        for _ in range(current - target):
            exact = page.locator(".order-text", has_text=re.compile(f"^{re.escape(text)}$"))
            page.locator(".order-item").filter(has=exact).focus()
            page.keyboard.press("Alt+ArrowUp")
    expect(items).to_have_text(wanted)
    shots.take(page, "10-ordering", full_page=False)
    submit_and_continue(page, "Correct")

    # 9. Essay, with a word count; a person grades it later.
    wait_for_question(page, "A bug you fixed")
    page.get_by_label(re.compile("^Your answer")).fill(ESSAY)
    expect(page.get_by_text(re.compile(r"^\d+ words$"))).to_be_visible()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator(".feedback")).to_contain_text("Waiting for a reviewer", timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Next question").click()

    # Back to the skipped question, then the assistant on it.
    wait_for_question(page, "Stable sorts")
    expect(page.get_by_label("Merge sort")).to_be_checked()  # the draft from before the skip
    page.get_by_label("Insertion sort").check()
    page.get_by_role("button", name="Assistant").click()
    page.get_by_label("What do you need?").select_option("explain")
    page.get_by_role("button", name="Ask").click()
    expect(page.locator(".chat-reply")).to_have_count(1, timeout=TIMEOUT_MS)
    shots.take(page, "11-assistant", full_page=False)
    page.get_by_role("button", name="Close").click()
    submit_and_continue(page, "Correct")

    # Everything answered: submit the assessment from the confirmation dialog.
    dialog = page.get_by_role("dialog", name="Submit the assessment?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Every question has an answer")
    dialog.get_by_role("button", name="Submit assessment").click()

    results = page.get_by_role("heading", name="Results: Mixed skills check", exact=True)
    expect(results).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("1 answer waits for a reviewer")).to_be_visible()
    expect(page.locator(".result-item")).to_have_count(len(QUESTIONS))
    page.locator(".result-item summary").first.click()
    expect(page.locator(".result-item").first).to_contain_text("Passed 4 of 4 tests")
    shots.take(page, "12-results")

    page.get_by_role("link", name="Your metrics").click()
    expect(page.get_by_role("heading", name="Your performance", exact=True)).to_be_visible()
    expect(page.locator("figure.chart canvas").first).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("arrays"))).to_be_visible()
    page.wait_for_timeout(300)  # the charts draw once their library has loaded
    shots.take(page, "13-metrics")

    # Narrow screens: the navigation folds into a menu, the pages stack.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments")).to_be_visible()
    shots.take(page, "14-narrow-metrics", full_page=False)
    assert problems == [], problems
    context.close()

    # A reviewer opens the report and grades the essay; the candidate's result becomes final.
    reviewer_grades_the_essay(browser, server, world["attempt"], shots)


def reviewer_grades_the_essay(browser: Browser, server: Server, attempt: str, shots: Shots) -> None:
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, REVIEWER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    queue = page.get_by_role("region", name="Waiting for review")
    expect(queue.get_by_role("row", name=re.compile("A bug you fixed"))).to_be_visible()
    shots.take(page, "15-review")
    queue.get_by_role("link", name="Grade").click()

    expect(page.get_by_role("heading", name=f"Report: {CANDIDATE}", exact=True)).to_be_visible()
    essay = page.locator(".result-item", has_text="A bug you fixed")
    essay.locator("summary").click()
    expect(essay).to_contain_text(ESSAY)
    expect(essay).to_contain_text("Reviewers look for a hypothesis")  # staff see the explanation
    essay.get_by_label(re.compile(r"^Points \(of 2\)")).fill("2")
    essay.get_by_label("Note (optional)").fill("clear method")
    essay.get_by_role("button", name="Save grade").click()
    expect(essay).to_contain_text("Saved: 2 of 2 points")
    expect(page.get_by_role("region", name="Score changes")).to_contain_text("clear method")
    code = page.locator(".result-item", has_text="Longest run of equal values")
    code.locator("summary").click()
    expect(code.locator(".cm-content")).to_contain_text("def longest_run")
    expect(page.get_by_role("region", name="Assistant exchanges")).to_contain_text("explain")
    shots.take(page, "16-report")
    assert problems == [], problems
    context.close()

    # The candidate's result is now final.
    token = server.login(CANDIDATE)
    results = server.ok("GET", f"/api/attempts/{attempt}/results", token)
    # Every answer is right; the one hint cost half a point of 13.
    assert (results["state"], results["percentage"]) == ("final", round(12.5 / 13 * 100, 2))


def test_author_pages(browser: Browser, server: Server, world: dict[str, Any], shots: Shots) -> None:
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, AUTHOR)

    # The bank browser with a filter.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Question bank").click()
    expect(page.get_by_text("9 questions")).to_be_visible()
    page.get_by_label("Type").select_option("code")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 question")).to_be_visible()
    shots.take(page, "17-bank")

    # The question editor: change the title, see the live preview follow, save a new version.
    page.get_by_role("link", name="Longest run of equal values").first.click()
    expect(page.get_by_role("heading", name="Live preview", exact=True)).to_be_visible()
    preview = page.locator(".editor-preview")
    expect(preview.get_by_role("heading", name="Longest run of equal values", exact=True)).to_be_visible()
    page.get_by_role("tab", name="JSON (advanced)").click()
    source = page.locator(".editor-source .cm-content")
    source.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    detail = server.ok("GET", "/api/questions/web-binary-search", server.login(AUTHOR))["question"]
    detail["title"] = "Binary search, worst case"
    page.keyboard.insert_text(json.dumps(detail, indent=2))
    expect(preview.get_by_role("heading", name="Binary search, worst case", exact=True)).to_be_visible()
    expect(preview.get_by_label("O(log n)")).to_be_visible()
    page.get_by_role("button", name="Save to the bank").click()
    expect(page.get_by_text("1 updated")).to_be_visible()
    shots.take(page, "18-question-editor")

    # The assessment builder: a fixed assessment from bank questions, saved and published.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Manage assessments").click()
    expect(page.get_by_role("row", name=re.compile("Mixed skills check"))).to_be_visible()
    page.get_by_role("link", name="New assessment").click()
    page.get_by_label("Identifier").fill("web-short")
    page.get_by_label("Title").fill("Short check")
    page.get_by_label("Instructions (Markdown)").fill("Two **quick** questions.")
    page.get_by_label("Search the bank").fill("growth")
    page.get_by_label("Search the bank").press("Enter")
    page.get_by_role("button", name="Add Growth rates").click()
    page.get_by_label("Search the bank").fill("Dijkstra")
    page.get_by_label("Search the bank").press("Enter")
    page.get_by_role("button", name="Add Dijkstra and negative edges").click()
    expect(page.locator(".picker .row-item")).to_have_count(2)
    shots.take(page, "19-assessment-builder")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("Saved “Short check” as published")).to_be_visible()

    # Invitations: one-time links to copy.
    page.get_by_role("link", name="Invite candidates").click()
    page.get_by_label("Email addresses").fill("first@example.com\nsecond@example.com")
    page.get_by_role("button", name="Create links").click()
    expect(page.locator(".links li")).to_have_count(2)
    expect(page.locator(".links")).to_contain_text("/claim#token=")
    expect(page.get_by_role("row", name=re.compile("second@example.com"))).to_be_visible()
    shots.take(page, "20-invitations")
    assert problems == [], problems
    context.close()


def test_time_running_out_ends_the_attempt(browser: Browser, server: Server, world: dict[str, Any]) -> None:
    author = server.login(AUTHOR)  # `world` made the author
    definition = {
        "id": "web-quick", "title": "Six seconds", "mode": "fixed", "questions": ["web-dijkstra"],
        "duration_minutes": 0.1, "access": "public", "feedback": {"mode": "after_submission"},
    }
    server.ok("POST", "/api/assessments", author, status=201, json=definition)
    server.ok("POST", "/api/assessments/web-quick/publish", author)
    server.account("candidate", "late@example.com")
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, "late@example.com")
    page.get_by_role("link", name="Six seconds").click()
    page.get_by_role("button", name="Start").click()
    wait_for_question(page, "Dijkstra and negative edges")
    page.get_by_label("True").check()  # chosen but never submitted
    expect(page.get_by_role("heading", name="Results: Six seconds", exact=True)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Time ran out")).to_be_visible()
    expect(page.get_by_text("0.0 % (0 of 1 points)")).to_be_visible()
    assert problems == [], problems
    context.close()


def test_changing_the_password(browser: Browser, server: Server, shots: Shots) -> None:
    server.account("candidate", "pat@example.com")
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, "pat@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(page.get_by_text("pat@example.com")).to_be_visible()
    new = "a different long passphrase"
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("New password again").fill(new)
    page.get_by_role("button", name="Change password").click()
    # Refused, and still signed in: a wrong current password is not an expired session.
    expect(page.get_by_role("alert")).to_contain_text("the current password is wrong")
    problems.clear()  # the refused request (401) is logged by the browser
    page.get_by_label("Current password").fill(STRONG)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    shots.take(page, "21-account")
    page.get_by_role("button", name="Sign out").first.click()
    sign_in(page, "pat@example.com", new)
    assert problems == [], problems
    context.close()
