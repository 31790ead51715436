"""Practice and per-assessment metrics in a real browser against a real `sensei serve`: the practice setup
page (topics with their counts, difficulty levels, number of questions, duration) starts an attempt that
is taken like any other; an assessment's own metrics dashboard shows charts by topic × difficulty, the
candidate's own and, for a reviewer, everyone's.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from web.conftest import BANK, CHROMIUM, NO_CHROMIUM, Server, Shots, watch_console
from web.test_browser import new_page, sign_in

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

CANDIDATE = "learner@example.com"
REVIEWER = "metrics.reviewer@example.com"
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def bank(server: Server) -> None:
    author = server.account("author", "practice.author@example.com")
    # Only questions their author opened to practice are drawn for it (practice shows the answers).
    questions = yaml.safe_load(BANK.read_text())["questions"]
    opened = {"questions": [{**q, "practice": True} for q in questions]}
    server.import_bank(author, json.dumps(opened))  # JSON is YAML too
    definition = {
        "id": "metrics-quiz", "title": "Metrics quiz", "mode": "fixed", "access": "public",
        "questions": ["web-binary-search", "web-dijkstra", "web-stable-sorts"], "feedback": {"mode": "immediate"},
    }
    server.ok("POST", "/api/assessments", author, status=201, json=definition)
    server.ok("POST", "/api/assessments/metrics-quiz/publish", author)
    server.account("candidate", CANDIDATE)
    server.account("reviewer", REVIEWER)


def answer_sorting_question(page: Page, left: list[str]) -> None:
    """The practice draws its two questions in either order: answer whichever of those `left` is shown
    (the titles already answered are left out, so the previous question is never mistaken for the next)."""
    heading = page.get_by_role("heading", level=2, name=re.compile(f"^({'|'.join(map(re.escape, left))})$"))
    expect(heading).to_be_visible()
    title = heading.inner_text()
    left.remove(title)
    if title == "Stable sorts":
        page.get_by_label("Merge sort").check()
        page.get_by_label("Insertion sort").check()
    else:
        page.get_by_label("Your answer").fill("7")
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator(".feedback")).to_contain_text("Correct")


def test_practice_setup_starts_an_attempt_on_the_chosen_topics(
    browser: Browser, server: Server, bank: None, shots: Shots
) -> None:
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, CANDIDATE)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Practice").click()
    expect(page.get_by_role("heading", name="Practice", level=1)).to_be_visible()
    start = page.get_by_role("button", name="Start practising")
    expect(start).to_be_disabled()  # no topic chosen yet
    page.get_by_label("sorting (2)").check()
    page.get_by_label("graphs (1)").check()
    page.get_by_label("medium").check()
    expect(page.get_by_text("3 questions match your choice.")).to_be_visible()
    page.get_by_label("graphs (1)").uncheck()
    expect(page.get_by_text("2 questions match your choice.")).to_be_visible()
    page.get_by_label("Number of questions").fill("2")
    page.get_by_label("Duration (minutes)").fill("15")
    shots.take(page, "60-practice-setup")
    start.click()

    left = ["Stable sorts", "Merging two lists"]
    answer_sorting_question(page, left)
    expect(page.get_by_role("article").locator(".tag")).to_have_text("sorting")
    expect(page.get_by_role("timer", name=re.compile(r"^Time left: 1[45]:\d\d$"))).to_be_visible()
    page.get_by_role("button", name="Next question").click()
    answer_sorting_question(page, left)
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("dialog", name="Submit the assessment?").get_by_role("button", name="Submit assessment").click()
    expect(page.get_by_role("heading", name=re.compile("^Results: "), level=1)).to_be_visible()
    expect(page.get_by_text(re.compile(r"100\.0 %"))).to_be_visible()

    # A type narrows the topics to those with questions of that type.
    page.goto("/practice")
    page.get_by_label("Question type").select_option("code")
    expect(page.get_by_label("arrays (1)")).to_be_visible()
    expect(page.get_by_label(re.compile("^sorting"))).to_have_count(0)
    assert problems == [], problems
    context.close()


def test_an_assessments_metrics_show_charts_by_topic_and_difficulty(
    browser: Browser, server: Server, bank: None, shots: Shots
) -> None:
    token = server.login(CANDIDATE)
    attempt = server.ok("POST", "/api/assessments/metrics-quiz/attempts", token, status=201)["attempt_id"]
    for answer in ("B", False, ["A", "C"]):
        server.ok("POST", f"/api/attempts/{attempt}/answer", token, json={"answer": answer})
    server.ok("POST", f"/api/attempts/{attempt}/submit", token)

    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, CANDIDATE)
    page.get_by_role("link", name="Metrics quiz").click()
    page.get_by_role("link", name="Your metrics here").click()
    expect(page.get_by_role("heading", name="Metrics: Metrics quiz", level=1)).to_be_visible()
    expect(page.locator("figure.chart canvas").first).to_be_visible()
    table = page.get_by_role("region", name="By topic and difficulty")
    for topic in ("graphs", "searching", "sorting"):
        expect(table.get_by_role("row", name=re.compile(f"^{topic} "))).to_be_visible()
    page.wait_for_timeout(300)  # the charts draw once their library has loaded
    shots.take(page, "61-assessment-metrics")
    assert problems == [], problems
    context.close()

    # A reviewer sees every candidate's, from the list of assessments, and can narrow it to one.
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, REVIEWER)
    page.goto("/metrics/assessments/metrics-quiz")
    expect(page.get_by_text("by topic and difficulty · every candidate")).to_be_visible()
    page.get_by_label("User").fill(CANDIDATE)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text(f"by topic and difficulty · {CANDIDATE}")).to_be_visible()
    table = page.get_by_role("region", name="By topic and difficulty")
    expect(table.get_by_role("row", name=re.compile("^sorting "))).to_be_visible()

    # The reviewer's list of attempts, filtered by state, opens the attempt's report.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    page.get_by_label("State").select_option("final")
    page.get_by_role("button", name="Filter").click()
    attempts = page.get_by_role("region", name="Attempts")
    row = attempts.get_by_role("row", name=re.compile(f"{re.escape(CANDIDATE)} Metrics quiz"))
    expect(row).to_contain_text("100.0 %")
    shots.take(page, "62-review-attempts")
    row.get_by_role("link", name=re.compile("^Report")).click()
    expect(page.get_by_role("heading", name=f"Report: {CANDIDATE}", level=1)).to_be_visible()
    assert problems == [], problems
    context.close()
