"""The attempt's WebSocket in a real browser: a connection dropped in the middle of a submission resumes and
shows every per-test result once, in order; the assistant's reply streams over the socket and its panel is
hidden when the assessment's policy turns it off; the question's topics, difficulty and own clock show.

The page's WebSockets are wrapped by an init script that records every frame and can close them, so the
test sees exactly what the server sent on each connection.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from web.conftest import CHROMIUM, NO_CHROMIUM, Server, Shots, watch_console
from web.test_browser import TIMEOUT_MS, new_page, replace_code, sign_in

pytestmark = [
    pytest.mark.browser, pytest.mark.slow, pytest.mark.sandbox,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

CANDIDATE = "live@example.com"
TESTS = [f"case-{n}" for n in range(1, 7)]
BANK = "questions:\n" + """
  - id: live-slow-double
    type: code
    title: Slow double
    text: Implement `slow_double(x)`, returning twice `x`.
    topics: [arithmetic]
    difficulty: easy
    languages: [python]
    entry_point: slow_double
    starter: {python: "def slow_double(x):\\n    ...\\n"}
    limits: {time_s: 2, memory_mb: 256}
""" + "    tests:\n" + "".join(
    f"      - {{name: {name}, kind: call, args: [{n}], expected: {2 * n}, visibility: {visibility}}}\n"
    for n, name in enumerate(TESTS, start=1)
    for visibility in ["sample" if n == 1 else "hidden"]
) + """
  - id: live-choice
    type: mcq
    title: Which is a stack operation?
    text: Pick the operation a stack offers.
    topics: [data-structures]
    difficulty: medium
    options:
      - {key: A, text: push}
      - {key: B, text: enqueue}
    answer: A
"""
# Each call sleeps (wall time, not CPU time): the submission lasts long enough to drop the connection mid-way.
SLOW = "import time\n\ndef slow_double(x):\n    time.sleep(0.6)\n    return 2 * x\n"

RECORD_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__frames = [];
  window.__sent = [];
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const index = window.__sockets.push(this) - 1;
      this.addEventListener("message", (e) => window.__frames.push({ socket: index, ...JSON.parse(e.data) }));
      const send = this.send.bind(this);
      this.send = (data) => { window.__sent.push({ socket: index, ...JSON.parse(data) }); send(data); };
    }
  };
})();
"""
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def assessments(server: Server) -> None:
    author = server.account("author", "live.author@example.com")
    server.import_bank(author, BANK)
    common = {"mode": "fixed", "access": "public", "duration_minutes": 60, "feedback": {"mode": "immediate"}}
    for definition in (
        {"id": "live-check", "title": "Live check", "questions": ["live-slow-double", "live-choice"],
         "question_time_limit_s": 900, "assistant": {"mode": "full"}, **common},
        {"id": "live-quiet", "title": "Quiet check", "questions": ["live-choice"],
         "assistant": {"mode": "off"}, **common},
    ):
        server.ok("POST", "/api/assessments", author, status=201, json=definition)
        server.ok("POST", f"/api/assessments/{definition['id']}/publish", author)
    server.account("candidate", CANDIDATE)


def start(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="Start").click()


def frames(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("window.__frames"))


def wait_for_frame(page: Page, kind: str, timeout_s: float) -> None:
    """Poll from Python: the page's CSP forbids the string evaluation `wait_for_function` relies on."""
    for _ in range(int(timeout_s / 0.05)):
        if any(f["type"] == kind for f in frames(page)):
            return
        page.wait_for_timeout(50)
    pytest.fail(f"no {kind!r} event within {timeout_s} s")


def test_a_dropped_connection_resumes_the_submission_without_losing_or_repeating_a_result(
    browser: Browser, server: Server, assessments: None, shots: Shots
) -> None:
    context, page = new_page(browser, server)
    context.add_init_script(RECORD_SOCKETS)
    problems = watch_console(page)
    sign_in(page, CANDIDATE)
    start(page, "Live check")
    expect(page.get_by_role("heading", name="Slow double", level=2)).to_be_visible()

    # The question's topics and difficulty, and its own clock from the server.
    problem = page.get_by_role("article")
    expect(problem.locator(".badge")).to_have_text("easy")
    expect(problem.locator(".tag")).to_have_text("arithmetic")
    expect(page.get_by_role("timer", name=re.compile(r"^This question: 1[45]:\d\d$"))).to_be_visible()

    replace_code(page, SLOW)
    page.get_by_role("button", name="Submit answer").click()
    wait_for_frame(page, "test", TIMEOUT_MS / 1000)
    page.evaluate("window.__sockets.forEach((s) => s.close())")  # the connection drops mid-submission

    output = page.locator(".output")
    expect(output).to_contain_text("Answer recorded", timeout=TIMEOUT_MS)
    expect(output).to_contain_text(f"Passed {len(TESTS)} of {len(TESTS)} tests")
    expect(output.locator(".test-row .test-name")).to_have_text(TESTS)
    shots.take(page, "40-resumed-submission", full_page=False)

    received = frames(page)
    sockets = {f["socket"] for f in received}
    assert len(sockets) >= 2, "the page never reconnected"
    job = next(f["job"] for f in received if f["type"] == "accepted")
    events = [f for f in received if f.get("job") == job]
    # Every result once, in order, over both connections; the sequence numbers never repeat.
    assert [f["result"]["name"] for f in events if f["type"] == "test"] == TESTS
    seqs = [f["seq"] for f in events]
    assert seqs == sorted(set(seqs)), seqs
    assert [f["type"] for f in events][-1] == "done"
    resumed = [m for m in page.evaluate("window.__sent") if m["type"] == "resume"]
    assert resumed
    assert resumed[0]["job"] == job
    assert resumed[0]["after"] >= 2
    assert problems == [], problems
    context.close()


def test_the_assistant_streams_over_the_socket_and_hides_when_the_policy_is_off(
    browser: Browser, server: Server, assessments: None, shots: Shots
) -> None:
    context, page = new_page(browser, server)
    context.add_init_script(RECORD_SOCKETS)
    problems = watch_console(page)
    sign_in(page, CANDIDATE)
    page.get_by_role("link", name="Live check").click()
    page.get_by_role("link", name=re.compile("^Continue attempt")).click()
    expect(page.get_by_role("heading", name="Which is a stack operation?", level=2)).to_be_visible()

    page.get_by_role("button", name="Assistant").click()
    panel = page.get_by_role("complementary", name="Assistant")
    panel.get_by_label("What do you need?").select_option("explain")
    panel.get_by_role("button", name="Ask").click()
    expect(panel.locator(".chat-reply")).to_have_count(1, timeout=TIMEOUT_MS)
    shots.take(page, "41-assistant-streamed", full_page=False)
    sent = page.evaluate("window.__sent")
    assert [m["kind"] for m in sent if m["type"] == "assistant"] == ["explain"]
    kinds = [f["type"] for f in frames(page) if f["type"].startswith("assistant")]
    assert (kinds[0], kinds[-1]) == ("assistant_delta", "assistant_done"), kinds
    reply = next(f["reply"]["text"] for f in frames(page) if f["type"] == "assistant_done")
    expect(panel.locator(".chat-reply")).to_contain_text(reply.split("\n")[0][:40])

    # The exchange is the server's: after a reload the panel shows it again.
    page.reload()
    expect(page.get_by_role("heading", name="Which is a stack operation?", level=2)).to_be_visible()
    page.get_by_role("button", name="Assistant").click()
    expect(page.get_by_role("complementary", name="Assistant").locator(".chat-reply")).to_have_count(1)
    page.get_by_role("button", name="Close").click()

    # An assessment whose policy turns the assistant off offers no panel.
    page.goto("/assessments")
    start(page, "Quiet check")
    expect(page.get_by_role("heading", name="Which is a stack operation?", level=2)).to_be_visible()
    expect(page.get_by_role("button", name="Finish")).to_be_visible()
    expect(page.get_by_role("button", name="Assistant")).to_have_count(0)
    assert problems == [], problems
    context.close()
