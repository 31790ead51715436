"""The judge end to end in the real sandbox: test kinds, languages, cheats that must fail, no leaks."""

from __future__ import annotations

from typing import Any

import pytest

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.runner.judge import judge

pytestmark = pytest.mark.sandbox


def code_question(tests: list[dict[str, Any]], **extra: Any) -> CodeQuestion:
    data = {"id": "q", "type": "code", "title": "Q", "text": "q", "languages": ["python", "javascript", "c", "cpp"]}
    return CodeQuestion.model_validate({**data, **extra, "tests": tests})


ADD = code_question(
    [
        {"name": "sample", "kind": "call", "args": [1, 2], "expected": 3, "visibility": "sample"},
        {"name": "big", "kind": "call", "args": [10**9, 2], "expected": 10**9 + 2, "weight": 2},
    ],
    entry_point="add",
)
SUM = code_question(
    [
        {
            "name": f"t{i}",
            "kind": "stdio",
            "input": f"{i} {i}\n",
            "expected": f"{2 * i}\n",
            "visibility": "sample" if i == 0 else "hidden",
        }
        for i in range(3)
    ]
)


@pytest.mark.parametrize(
    ("language", "source", "verdict"),
    [
        ("python", "def add(a, b):\n    return a + b", "accepted"),
        ("python", "def add(a, b):\n    return a - b", "wrong_answer"),
        ("python", "import os\nos._exit(0)", "runtime_error"),
        ("python", "import sys\nsys.exit(0)", "runtime_error"),
        (
            "python",
            "class Yes(int):\n    def __eq__(self, o): return True\ndef add(a, b):\n    return Yes(0)",
            "wrong_answer",
        ),
        ("python", 'def add(a, b):\n    print(\'{"value": "3"}\')\n    return 0', "wrong_answer"),
        ("javascript", "function add(a, b) { return a + b; }", "accepted"),
        ("javascript", "const add = (a, b) => ({ valueOf: () => a + b });", "wrong_answer"),
        ("javascript", "process.exit(0)", "runtime_error"),
    ],
)
def test_call_tests(language: str, source: str, verdict: str) -> None:
    assert judge(ADD, CodeAnswer(language=language, source=source)).verdict == verdict


@pytest.mark.parametrize(
    ("language", "source"),
    [
        ("python", "a, b = map(int, input().split())\nprint(a + b)"),
        (
            "javascript",
            "let d='';process.stdin.on('data',c=>d+=c);process.stdin.on('end',()=>{"
            "const [a,b]=d.trim().split(' ').map(Number);console.log(a+b)})",
        ),
        ("c", '#include <stdio.h>\nint main(){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);}'),
        ("cpp", "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<std::endl;}"),
    ],
)
def test_stdio_in_several_languages(language: str, source: str) -> None:
    report = judge(SUM, CodeAnswer(language=language, source=source))
    assert (report.verdict, report.passed, report.score) == ("accepted", 3, 1.0), report.to_json()


def test_report_shape_sample_details_and_score() -> None:
    report = judge(SUM, CodeAnswer(language="python", source="print(0)"))
    assert report.verdict == "wrong_answer"
    assert report.passed == 1
    assert report.score == pytest.approx(1 / 3)
    sample, hidden = report.to_json()["tests"][0], report.to_json()["tests"][1]
    assert sample["stdout"] == "0\n"
    assert sample["expected"] == "0\n"
    assert "stdout" not in hidden
    assert "expected" not in hidden


def test_compile_error_verdict() -> None:
    report = judge(SUM, CodeAnswer(language="c", source="int main(){ return x; }"))
    assert report.verdict == "compile_error"
    assert "x" in report.compile_output


def test_script_tests_use_untouched_builtins_and_reject_candidate_classes() -> None:
    question = code_question(
        [
            {
                "name": "asserts",
                "kind": "script",
                "language": "python",
                "code": "assert add(2, 3) == 5\nassert isinstance(add(1, 1), int)",
            }
        ],
        entry_point="add",
    )
    honest = "def add(a, b):\n    return a + b"
    assert judge(question, CodeAnswer(language="python", source=honest)).verdict == "accepted"
    patched = "import builtins\nbuiltins.AssertionError = type('X', (Exception,), {})\ndef add(a, b):\n    return 0"
    assert judge(question, CodeAnswer(language="python", source=patched)).verdict == "wrong_answer"
    own_class = "class N(int):\n    pass\ndef add(a, b):\n    return N(a + b)"
    assert judge(question, CodeAnswer(language="python", source=own_class)).verdict == "wrong_answer"


def test_linked_structures() -> None:
    question = code_question(
        [{"name": "rev", "kind": "call", "args": [[1, 2, 3]], "expected": [3, 2, 1]}],
        entry_point="reverse",
        arg_types=["ListNode"],
        return_type="ListNode",
    )
    source = (
        "def reverse(head):\n    prev = None\n    while head:\n"
        "        head.next, prev, head = prev, head, head.next\n    return prev"
    )
    assert judge(question, CodeAnswer(language="python", source=source)).verdict == "accepted"
    tree = code_question(
        [{"name": "inv", "kind": "call", "args": [[1, 2, 3, None, 4]], "expected": [1, 3, 2, None, None, 4]}],
        entry_point="invert",
        arg_types=["TreeNode"],
        return_type="TreeNode",
    )
    js = "function invert(r){ if(!r) return null; [r.left, r.right] = [invert(r.right), invert(r.left)]; return r; }"
    assert judge(tree, CodeAnswer(language="javascript", source=js)).verdict == "accepted"


def test_no_state_leaks_between_tests_or_submissions() -> None:
    question = code_question([{"name": f"t{i}", "kind": "stdio", "input": "", "expected": "fresh"} for i in range(3)])
    # Interpreter state and environment are fresh for every test (each is a new fork).
    source = (
        "import os, builtins\n"
        "seen = hasattr(builtins, 'leak') or 'LEAK' in os.environ\n"
        "builtins.leak = 1\nos.environ['LEAK'] = '1'\n"
        "print('stale' if seen else 'fresh')\n"
    )
    assert judge(question, CodeAnswer(language="python", source=source)).verdict == "accepted"
    # Files do not outlive their submission's box.
    writer = "import os\nopen('/box/marker', 'w').close()\nprint('fresh')"
    assert judge(question, CodeAnswer(language="python", source=writer)).verdict == "accepted"
    reader = "import os\nprint('stale' if os.path.exists('/box/marker') else 'fresh')"
    assert judge(question, CodeAnswer(language="python", source=reader)).verdict == "accepted"
    # Random seeds differ between submissions.
    seeds = code_question([{"name": "r", "kind": "stdio", "input": "", "expected": "x", "visibility": "sample"}])
    draw = "import random\nprint(random.random())"
    outputs = {judge(seeds, CodeAnswer(language="python", source=draw)).tests[0].stdout for _ in range(2)}
    assert len(outputs) == 2


def test_limits_in_the_judge() -> None:
    question = code_question([{"name": "t", "kind": "stdio", "input": "", "expected": ""}], limits={"time_s": 0.5})
    spin = judge(question, CodeAnswer(language="python", source="while True:\n    pass"))
    assert spin.verdict == "time_limit_exceeded"
    # Its own, roomier CPU limit: on a loaded machine, filling 400 MB must end on memory, not on time.
    roomy = code_question([{"name": "t", "kind": "stdio", "input": "", "expected": ""}], limits={"time_s": 5})
    hog = judge(roomy, CodeAnswer(language="python", source="x = b'x' * (400 * 1024 * 1024)\nprint(len(x))"))
    assert hog.verdict == "memory_limit_exceeded"
    chatty = judge(question, CodeAnswer(language="javascript", source="while (true) console.log('x'.repeat(1000))"))
    assert chatty.verdict == "output_limit_exceeded"


@pytest.mark.parametrize(
    ("language", "source"),
    [
        (
            "java",
            "import java.util.*;\npublic class Main { public static void main(String[] a) {\n"
            " Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }",
        ),
        (
            "rust",
            "use std::io::*;\nfn main(){ let mut s=String::new(); stdin().read_to_string(&mut s).unwrap();\n"
            " let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();\n"
            ' println!("{}", v[0] + v[1]); }',
        ),
    ],
)
def test_stdio_in_compiled_jvm_and_rust(language: str, source: str) -> None:
    question = code_question(
        [{"name": "t", "kind": "stdio", "input": "20 22\n", "expected": "42"}], limits={"time_s": 5}
    )
    report = judge(question, CodeAnswer(language=language, source=source))
    assert report.verdict == "accepted", report.to_json()
