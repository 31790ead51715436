"""The warm harness boxes from the inside: what a test can reach of its harness, and what one submission
can leave for the next when both go through the warm pool.

The hostile suite (`tests/hostile`) runs programs the way `sensei run` does, one fresh box each; these cases
aim at what only the judge has: a warm parent process next to every test, and boxes started ahead of time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.runner.dispatch import LocalDispatcher
from codesensei.runner.jobs import JudgeJob
from codesensei.runner.judge import judge, report_from_events
from codesensei.runner.pool import POOL_CONTEXTS_AHEAD, WarmPool
from codesensei.runner.sandbox import BwrapSandbox
from codesensei.runner.types import JudgeReport

pytestmark = pytest.mark.sandbox


def question(**extra: Any) -> CodeQuestion:
    data = {"id": "q", "type": "code", "title": "Q", "text": "q", "languages": ["python", "javascript"]}
    cases = [{"name": "t", "kind": "stdio", "input": "", "expected": "", "visibility": "sample"}]
    return CodeQuestion.model_validate({**data, **extra, "tests": cases})


PROBE_PARENT = """
import json, os
found = {"fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd")), "parent": []}
parent = os.getppid()
try:
    names = os.listdir(f"/proc/{parent}/fd")
except OSError as error:
    names = []
    found["parent"].append(type(error).__name__)
for name in names:
    try:
        fd = os.open(f"/proc/{parent}/fd/{name}", os.O_RDWR | os.O_NONBLOCK)
        found["parent"].append("opened " + name)
        os.close(fd)
    except OSError as error:
        found["parent"].append(type(error).__name__)
print(json.dumps(found))
"""


def test_a_test_cannot_reach_its_harness_parent() -> None:
    report = judge(question(), CodeAnswer(language="python", source=PROBE_PARENT))
    seen = json.loads(report.tests[0].stdout or "{}")
    assert seen, report.to_json()
    # Beyond stdin, stdout and stderr: the listing's own descriptor and the hidden result pipe, no control pipe.
    assert len([fd for fd in seen["fds"] if fd >= 3]) <= 2, seen
    assert not any(entry.startswith("opened") for entry in seen["parent"]), seen


def test_killing_the_harness_fails_only_that_test() -> None:
    source = "import os, signal\nif input() == 'kill':\n    os.kill(os.getppid(), signal.SIGKILL)\nprint('ok')\n"
    q = CodeQuestion.model_validate(
        {
            "id": "k",
            "type": "code",
            "title": "K",
            "text": "k",
            "languages": ["python"],
            "tests": [
                {"name": "kill", "kind": "stdio", "input": "kill\n", "expected": "ok"},
                {"name": "after", "kind": "stdio", "input": "stay\n", "expected": "ok"},
            ],
        }
    )
    report = judge(q, CodeAnswer(language="python", source=source))
    assert [t.verdict for t in report.tests] == ["runtime_error", "accepted"], report.to_json()


LEAVE_BEHIND = {
    "python": (
        "import os, subprocess\n"
        "for path in ('/tmp/left', '/box/left', '/dev/shm/left'):\n"
        "    try:\n"
        "        open(path, 'w').write('x')\n"
        "    except OSError:\n"
        "        pass\n"
        "quiet = subprocess.DEVNULL\n"
        "subprocess.Popen(['/bin/sleep', '30'], start_new_session=True, stdout=quiet, stderr=quiet)\n"
        "print('')\n"
    ),
    "javascript": (
        "const fs = require('fs');\n"
        "for (const p of ['/tmp/left', '/box/left', '/dev/shm/left']) {\n"
        "  try { fs.writeFileSync(p, 'x'); } catch (e) {}\n"
        "}\n"
        "require('child_process').spawn('/bin/sleep', ['30'], { detached: true, stdio: 'ignore' }).unref();\n"
        "globalThis.left = 1;\n"
        "console.log('');\n"
    ),
}
LOOK_AROUND = {
    "python": (
        "import os\n"
        "seen = [p for p in ('/tmp/left', '/box/left', '/dev/shm/left') if os.path.exists(p)]\n"
        "seen += [p for p in os.listdir('/proc') if p.isdigit() and 'sleep' in open(f'/proc/{p}/cmdline').read()]\n"
        "print(' '.join(seen))\n"
    ),
    "javascript": (
        "const fs = require('fs');\n"
        "const seen = ['/tmp/left', '/box/left', '/dev/shm/left'].filter((p) => fs.existsSync(p));\n"
        "for (const p of fs.readdirSync('/proc')) {\n"
        "  if (!/^\\d+$/.test(p)) continue;\n"
        "  try { if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('sleep')) seen.push(p); } catch (e) {}\n"
        "}\n"
        "if (globalThis.left) seen.push('global');\n"
        "console.log(seen.join(' '));\n"
    ),
}


def submit(dispatcher: LocalDispatcher, q: CodeQuestion, language: str, source: str) -> JudgeReport:
    return report_from_events(dispatcher.submit(JudgeJob(q, CodeAnswer(language=language, source=source))))


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_warm_boxes_keep_submissions_apart(tmp_path: Path, language: str) -> None:
    pool = WarmPool(BwrapSandbox(), tmp_path, slots=2, languages=(language,))
    try:
        pool.warm_up()
        dispatcher = LocalDispatcher(boxes=pool)
        q = question()
        for _ in range(2):
            left = submit(dispatcher, q, language, LEAVE_BEHIND[language])
            assert left.verdict == "accepted", left.to_json()
            # The next submission gets another box: none of the files, processes or globals are there.
            looked = submit(dispatcher, q, language, LOOK_AROUND[language])
            assert looked.verdict == "accepted", looked.to_json()
    finally:
        pool.close()


def test_every_test_of_a_pooled_node_box_gets_fresh_globals(tmp_path: Path) -> None:
    # A pooled Node.js box makes its first test contexts before the submission arrives (the rest after each
    # reply): more tests than it prepared, and each one still starts from clean globals.
    pool = WarmPool(BwrapSandbox(), tmp_path, slots=1, languages=("javascript",))
    try:
        pool.warm_up()
        cases = [
            {"name": f"t{i}", "kind": "stdio", "input": "", "expected": "1 undefined", "visibility": "sample"}
            for i in range(POOL_CONTEXTS_AHEAD + 3)
        ]
        q = CodeQuestion.model_validate(
            {"id": "q", "type": "code", "title": "Q", "text": "q", "languages": ["javascript"], "tests": cases}
        )
        source = (
            "globalThis.runs = (globalThis.runs || 0) + 1;\n"
            "console.log(runs, typeof Array.prototype.leftOver);\n"
            "Array.prototype.leftOver = 1;\n"
        )
        report = submit(LocalDispatcher(boxes=pool), q, "javascript", source)
        assert report.verdict == "accepted", report.to_json()
        assert report.total == POOL_CONTEXTS_AHEAD + 3
    finally:
        pool.close()
