"""The warm Python box's fast path: tests forked ahead of time, and the harness shipped as bytecode."""

from __future__ import annotations

import marshal
from importlib.util import MAGIC_NUMBER
from typing import Any

import pytest

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.runner import harness
from codesensei.runner.judge import judge


def question(tests: list[dict[str, Any]]) -> CodeQuestion:
    return CodeQuestion.model_validate(
        {"id": "q", "type": "code", "title": "Q", "text": "q", "languages": ["python"], "tests": tests}
    )


@pytest.mark.sandbox
def test_a_test_never_sees_the_next_tests_child() -> None:
    # The next test's child is forked only after this one's processes were swept: while candidate code runs,
    # the box holds bubblewrap's init, the warm parent and the test itself, nothing else.
    tests = [{"name": f"t{i}", "kind": "stdio", "input": "", "expected": "3"} for i in range(3)]
    source = "import os\nprint(len([p for p in os.listdir('/proc') if p.isdigit()]))\n"
    report = judge(question(tests), CodeAnswer(language="python", source=source))
    assert report.verdict == "accepted", report.to_json()


@pytest.mark.sandbox
def test_each_test_is_a_new_process_with_its_own_gc() -> None:
    tests = [
        {"name": f"t{i}", "kind": "stdio", "input": "", "expected": "ok", "visibility": "sample"} for i in range(3)
    ]
    # The child collects its own garbage (the parent's objects are frozen out of its collections).
    source = (
        "import gc, os\n"
        "class Node:\n    pass\n"
        "for _ in range(1000):\n    a = Node(); a.me = a\n"
        "assert gc.isenabled() and gc.collect() > 0\n"
        "print('ok')\n"
        "print(os.getpid(), file=__import__('sys').stderr)\n"
    )
    report = judge(question(tests), CodeAnswer(language="python", source=source))
    assert report.verdict == "accepted", report.to_json()
    pids = {test.stderr for test in report.tests}
    assert len(pids) == 3


def test_harness_ships_as_bytecode_only_for_the_same_python(monkeypatch: pytest.MonkeyPatch) -> None:
    if harness._box_python_is_ours():
        files = harness.python_harness.__wrapped__()
        assert list(files) == ["pybox.pyc", "pyvalues.pyc"]
        content = files["pybox.pyc"][0]
        assert content[:4] == MAGIC_NUMBER
        assert marshal.loads(content[16:]).co_filename == "/sensei/pybox.py"
    monkeypatch.setattr(harness, "BOX_PYTHON", "/nonexistent/python3")
    assert not harness._box_python_is_ours()
    assert list(harness.python_harness.__wrapped__()) == ["pybox.py", "pyvalues.py"]


@pytest.mark.sandbox
def test_code_compiled_once_still_reports_per_test() -> None:
    tests = [{"name": f"t{i}", "kind": "stdio", "input": "", "expected": "yes", "visibility": "sample"} for i in "ab"]
    # The warm parent compiles a clean program once for all tests; a program the compiler warns about (or
    # rejects) is compiled by every test, so each test's stderr shows what the compiler said.
    warned = judge(question(tests), CodeAnswer(language="python", source="x = 1\nif x is 1:\n    print('yes')\n"))
    assert warned.verdict == "accepted", warned.to_json()
    assert all("SyntaxWarning" in (test.stderr or "") for test in warned.tests), warned.to_json()
    broken = judge(question(tests), CodeAnswer(language="python", source="print('yes'\n"))
    assert [test.verdict for test in broken.tests] == ["runtime_error", "runtime_error"], broken.to_json()
    assert all("SyntaxError" in (test.stderr or "") for test in broken.tests), broken.to_json()
    # Annotations stay unevaluated, as they always were in the harness.
    hinted = "def f(a: List[int]) -> Optional[int]:\n    return None\nprint('yes')\n"
    assert judge(question(tests), CodeAnswer(language="python", source=hinted)).verdict == "accepted"


@pytest.mark.sandbox
def test_modules_a_submission_imports_are_loaded_before_its_tests() -> None:
    tests = [{"name": f"t{i}", "kind": "stdio", "input": "", "expected": "True", "visibility": "sample"} for i in "ab"]
    # `re` and `typing` are imported by the warm parent when the source names them (not at box start).
    source = "import sys\nimport re\nfrom typing import List\nprint('re' in sys.modules and 'typing' in sys.modules)\n"
    report = judge(question(tests), CodeAnswer(language="python", source=source))
    assert report.verdict == "accepted", report.to_json()
    bare = judge(question(tests), CodeAnswer(language="python", source="import sys\nprint('re' not in sys.modules)\n"))
    assert bare.verdict == "accepted", bare.to_json()


@pytest.mark.sandbox
def test_a_process_a_test_leaves_running_is_gone_before_the_next_test() -> None:
    # Each test leaves a double-forked sleeper behind (its stdio closed, so the test itself ends at once). The
    # harness sweeps it after the test's reply: every later test again sees only init, the harness and itself.
    tests = [{"name": f"t{i}", "kind": "stdio", "input": "", "expected": "3"} for i in range(3)]
    source = (
        "import os, sys, time\n"
        "print(len([p for p in os.listdir('/proc') if p.isdigit()]))\n"
        "sys.stdout.flush()\n"
        "if os.fork() == 0:\n"
        "    if os.fork() == 0:\n"
        "        os.closerange(0, 1024)\n"
        "        time.sleep(30)\n"
        "    os._exit(0)\n"
        "os.wait()\n"
    )
    report = judge(question(tests), CodeAnswer(language="python", source=source))
    assert report.verdict == "accepted", report.to_json()
