"""The question editor runs a draft's reference solutions in the real sandbox (through a real `sensei serve`)
and shows each solution's outcome and every test's verdict, CPU time and memory, hidden tests included."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from web.conftest import CHROMIUM, NO_CHROMIUM, Server, Shots, watch_console
from web.test_browser import new_page, sign_in

pytestmark = [
    pytest.mark.browser, pytest.mark.slow, pytest.mark.sandbox,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

AUTHOR = "reference-runner@example.com"
expect.set_options(timeout=60_000)  # judging in the sandbox on a shared machine


def write_solution(page: Page, label: str, code: str) -> None:
    page.get_by_role("textbox", name=label).click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)


def test_the_editor_runs_the_reference_solutions_of_a_draft(browser: Browser, server: Server, shots: Shots) -> None:
    server.account("author", AUTHOR)
    context, page = new_page(browser, server)
    problems = watch_console(page)
    sign_in(page, AUTHOR)
    page.goto("/bank/edit")
    page.get_by_label("Identifier").fill("reference-double")
    page.get_by_label("Type", exact=True).select_option(label="Programming")
    page.get_by_label("Title", exact=True).fill("Double it")
    page.get_by_label("Text (Markdown)").fill("Return twice the argument.")
    page.get_by_label("Entry point (function name)").fill("double")
    page.get_by_label("Test 1 name").fill("doubles-two")
    page.locator("#q-test-args-0").fill("[2]")
    page.locator("#q-test-expected-0").fill("4")
    page.get_by_role("button", name="Add test").click()
    page.get_by_label("Test 2 name").fill("hidden-big")
    page.locator("#q-test-args-1").fill("[1000]")
    page.locator("#q-test-expected-1").fill("2000")
    write_solution(page, "Solution 1, Python", "def double(x):\n    return 2 * x\n")
    # Right on the sample test (2 + 2 == 2 * 2), wrong on the hidden one: the tests catch it.
    page.get_by_role("button", name="Add solution").click()
    page.locator("#q-sol-expect-1").select_option("wrong")
    write_solution(page, "Solution 2, Python", "def double(x):\n    return x + 2\n")

    page.get_by_role("button", name="Run the reference solution").click()
    result = page.locator(".reference-run")
    expect(result.get_by_text("Every check passed")).to_be_visible()
    accepted = result.locator('[data-check="accepted python"]')
    wrong = result.locator('[data-check="wrong python"]')
    expect(accepted.locator(".verdict").first).to_have_text("passed")
    expect(accepted.locator('tr[data-test="doubles-two"]')).to_contain_text("accepted")
    expect(accepted.locator('tr[data-test="hidden-big"]')).to_contain_text("hidden")
    expect(accepted.locator('tr[data-test="hidden-big"]')).to_contain_text("accepted")
    expect(wrong).to_contain_text("fails 1 hidden test: hidden-big")
    expect(wrong.locator('tr[data-test="doubles-two"]')).to_contain_text("accepted")
    expect(wrong.locator('tr[data-test="hidden-big"]')).to_contain_text("wrong_answer")
    # Times and memory are shown per test.
    cells = accepted.locator('tr[data-test="hidden-big"] td')
    expect(cells.nth(3)).to_have_text(re.compile(r"^\d+(\.\d)? ms$"))
    expect(cells.nth(4)).to_have_text(re.compile(r"^\d+(\.\d)? [KM]B$"))
    shots.take(page, "36-reference-run")

    # A broken accepted solution is reported failed, with the test it fails.
    write_solution(page, "Solution 1, Python", "def double(x):\n    return x * x\n")
    page.get_by_role("button", name="Run the reference solution").click()
    expect(result.get_by_text("1 of 2 checks failed")).to_be_visible()
    expect(accepted).to_contain_text("wrong_answer on hidden-big")
    expect(accepted.locator('tr[data-test="hidden-big"]')).to_contain_text("wrong_answer")
    assert problems == [], problems
    context.close()
