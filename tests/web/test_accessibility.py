"""Accessibility in a real browser: an axe-core audit of every main page at 1280×800 and 390×844 with no
serious or critical violation, and taking questions with the keyboard alone.

axe-core comes from the web app's own devDependencies (`web/node_modules/axe-core`, installed by
`scripts/build-web`) and is injected from that file: nothing is fetched at run time. The app's CSP allows
only its own scripts, so the audited contexts bypass CSP to let the injected script run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from web.conftest import BANK, CHROMIUM, NO_CHROMIUM, ROOT, STRONG, Server, Shots, watch_console

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
    pytest.mark.skipif(not AXE.exists(), reason=f"{AXE} is missing: run scripts/build-web (npm ci installs axe-core)"),
]

CANDIDATE = "audit.candidate@example.com"
AUTHOR = "audit.author@example.com"
REVIEWER = "audit.reviewer@example.com"
VIEWPORTS = {"wide": (1280, 800), "narrow": (390, 844)}
BLOCKING = ("serious", "critical")
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def world(server: Server) -> dict[str, Any]:
    """A bank, three assessments, an attempt in progress on a code question and a submitted one to report on."""
    author = server.account("author", AUTHOR)
    server.account("reviewer", REVIEWER)
    candidate = server.account("candidate", CANDIDATE)
    server.import_bank(author, BANK.read_text())
    common = {
        "mode": "fixed", "access": "public", "duration_minutes": 60, "assistant": {"mode": "full"},
        "hints": {"allowed": True, "penalty": 0.5}, "feedback": {"mode": "immediate", "show_correct_answers": True},
    }
    for assessment_id, title, questions in (
        ("audit-take", "Audit: taking", ["web-longest-run", "web-binary-search"]),
        ("audit-done", "Audit: finished", ["web-binary-search", "web-bug-essay"]),
        ("audit-keys", "Keyboard check", ["web-binary-search", "web-dijkstra"]),
    ):
        server.ok("POST", "/api/assessments", author, status=201,
                  json={"id": assessment_id, "title": title, "questions": questions, **common})
        server.ok("POST", f"/api/assessments/{assessment_id}/publish", author)
    taking = server.ok("POST", "/api/assessments/audit-take/attempts", candidate, status=201)["attempt_id"]
    done = server.ok("POST", "/api/assessments/audit-done/attempts", candidate, status=201)["attempt_id"]
    server.ok("POST", f"/api/attempts/{done}/answer", candidate, json={"answer": "B"})
    server.ok("POST", f"/api/attempts/{done}/answer", candidate,
              json={"answer": "I bisected the history, wrote a failing test and fixed the off-by-one."})
    server.ok("POST", f"/api/attempts/{done}/submit", candidate)
    return {"taking": taking, "done": done}


def audit(page: Page) -> list[str]:
    """The page's serious and critical axe violations, one line each (rule, impact, first targets)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}; "
        f"{v['nodes'][0]['html'][:120]} {v['nodes'][0].get('failureSummary', '')[:200]}"
        for v in result["violations"] if v["impact"] in BLOCKING
    ]


def signed_in(
    browser: Browser, server: Server, email: str, password: str, size: tuple[int, int]
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=server.url, viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Assessments", level=1, exact=True)).to_be_visible()
    return context, page


def pages_of(world: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(who, path, heading the page shows once loaded) for every main page."""
    yield "candidate", "/assessments", "Assessments"
    yield "candidate", "/assessments/audit-take", "Audit: taking"
    yield "candidate", f"/attempts/{world['taking']}", "Longest run of equal values"
    yield "candidate", f"/attempts/{world['done']}/results", "Results: Audit: finished"
    yield "candidate", "/metrics", "Your performance"
    yield "candidate", "/metrics/assessments/audit-done", "Metrics: Audit: finished"
    yield "candidate", "/practice", "Practice"
    yield "candidate", "/account", "Your account"
    yield "reviewer", "/review", "Review"
    yield "reviewer", "/metrics/assessments/audit-done", "Metrics: Audit: finished"
    yield "reviewer", f"/reports/{world['done']}", f"Report: {CANDIDATE}"
    yield "author", "/bank", "Question bank"
    yield "author", "/bank/edit?id=web-longest-run", "Edit: Longest run of equal values"
    yield "author", "/bank/edit?id=web-structures", "Edit: The right data structure"
    yield "author", "/author/assessments", "Manage assessments"
    yield "author", "/author/assessments/new?from=audit-take", "New assessment"
    yield "author", "/author/assessments/audit-take/invitations", "Invitations: audit-take"
    yield "admin", "/admin/users", "Users"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_main_page_passes_an_axe_audit(
    browser: Browser, server: Server, world: dict[str, Any], shots: Shots, viewport: str
) -> None:
    size = VIEWPORTS[viewport]
    accounts = {"candidate": (CANDIDATE, STRONG), "reviewer": (REVIEWER, STRONG), "author": (AUTHOR, STRONG),
                "admin": (server.admin_email, server.admin_password)}
    found: dict[str, list[str]] = {}

    # Signed out: the sign-in page.
    context = browser.new_context(base_url=server.url, viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    found["/ (sign in)"] = audit(page)
    context.close()

    sessions: dict[str, tuple[BrowserContext, Page]] = {}
    for who, path, heading in pages_of(world):
        if who not in sessions:
            sessions[who] = signed_in(browser, server, *accounts[who], size)
        page = sessions[who][1]
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        found[path] = audit(page)
        if path.startswith("/attempts/") and not path.endswith("/results"):
            # The take page's other states: the assistant panel open, and the hint dialog.
            page.get_by_role("button", name="Assistant").click()
            expect(page.get_by_role("complementary", name="Assistant")).to_be_visible()
            found[f"{path} (assistant)"] = audit(page)
        if path.startswith("/bank/edit"):
            page.get_by_role("tab", name="JSON (advanced)").click()
            found[f"{path} (JSON tab)"] = audit(page)
    if viewport == "narrow":
        page = sessions["author"][1]
        page.goto("/bank/edit?id=web-longest-run")
        expect(page.get_by_role("heading", name="Live preview")).to_be_visible()
        shots.take(page, "50-narrow-question-form", full_page=False)
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Question bank")).to_be_visible()
        found["menu open (narrow)"] = audit(page)
        page = sessions["admin"][1]
        page.goto("/admin/users")
        expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
        shots.take(page, "51-narrow-users", full_page=False)
    for context, _ in sessions.values():
        context.close()
    failing = {path: lines for path, lines in found.items() if lines}
    assert not failing, "\n".join(f"{path}:\n  " + "\n  ".join(lines) for path, lines in failing.items())


def focus_by_tab(page: Page, target: Locator, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("(el) => el === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    pytest.fail(f"{target} never took the focus in {limit} presses of Tab")


def test_taking_questions_with_the_keyboard_alone(
    browser: Browser, server: Server, world: dict[str, Any], shots: Shots
) -> None:
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems = watch_console(page)
    page.goto("/")
    focus_by_tab(page, page.get_by_label("Email"))
    page.keyboard.type(CANDIDATE)
    page.keyboard.press("Tab")
    page.keyboard.type(STRONG)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Assessments", level=1, exact=True)).to_be_visible()

    focus_by_tab(page, page.get_by_role("link", name="Keyboard check"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Keyboard check", level=1)).to_be_visible()
    focus_by_tab(page, page.get_by_role("button", name="Start"))
    page.keyboard.press("Enter")

    # A multiple-choice question: into the group, arrows choose, Enter on Submit answer.
    expect(page.get_by_role("heading", name="Binary search cost", level=2)).to_be_visible()
    focus_by_tab(page, page.get_by_role("radio", name="O(n)", exact=True))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="O(log n)")).to_be_checked()
    focus_by_tab(page, page.get_by_role("button", name="Submit answer"))
    page.keyboard.press("Enter")
    expect(page.locator(".feedback")).to_contain_text("Correct")
    # The focus is still visible on the next control a keyboard user reaches.
    focus_by_tab(page, page.get_by_role("button", name="Next question"), backwards=True)
    outline = page.get_by_role("button", name="Next question").evaluate("(el) => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    shots.take(page, "52-keyboard-feedback", full_page=False)
    page.keyboard.press("Enter")

    # True or false, then the confirmation dialog, all by keyboard.
    expect(page.get_by_role("heading", name="Dijkstra and negative edges", level=2)).to_be_visible()
    focus_by_tab(page, page.get_by_role("radio", name="True", exact=True))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="False", exact=True)).to_be_checked()
    focus_by_tab(page, page.get_by_role("button", name="Submit answer"))
    page.keyboard.press("Enter")
    expect(page.locator(".feedback")).to_contain_text("Correct")
    onwards = page.get_by_role("button", name=re.compile("^(Review and submit|Next question)$"))
    focus_by_tab(page, onwards, backwards=True)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Submit the assessment?")
    expect(dialog).to_be_visible()
    focus_by_tab(page, dialog.get_by_role("button", name="Submit assessment"), limit=5)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Results: Keyboard check", exact=True)).to_be_visible()
    assert problems == [], problems
    context.close()


def test_axe_is_the_pinned_dev_dependency() -> None:
    """The audit runs the axe-core that web/package.json pins, so a result is reproducible."""
    package = (ROOT / "web" / "package.json").read_text()
    pinned = re.search(r'"axe-core":\s*"([^"]+)"', package)
    assert pinned, "web/package.json does not list axe-core"
    installed = re.search(r"axe v([\d.]+)", Path(AXE).read_text()[:400])
    assert installed
    assert installed.group(1) == pinned.group(1)
