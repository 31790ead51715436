"""Driving `sensei take`'s loop like a candidate: a scripted `Terminal` for in-process tests, and a
`Candidate` that reads the screen and types full-marks answers (shared with the pseudo-terminal tests)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from sessions.sample_answers import json_answer, program, sample_questions

SHOWN_ID = re.compile(r"· ([A-Za-z0-9_.:-]+) ─╯")
Responder = Callable[[str, str], str]


class ScriptedTerminal:
    """Answers prompts from `lines`, then from `responder(prompt, output)`; EOFError when neither has more."""

    def __init__(
        self, lines: list[str] | None = None, *, responder: Responder | None = None, edits: list[str] | None = None
    ) -> None:
        self.buffer = io.StringIO()
        self._console = Console(file=self.buffer, width=120, color_system=None, force_terminal=False)
        self.lines = list(lines or [])
        self.responder = responder
        self.edits = list(edits or [])
        self.prompts: list[str] = []
        self.edited: list[str] = []

    @property
    def console(self) -> Console:
        return self._console

    @property
    def output(self) -> str:
        return self.buffer.getvalue()

    def ask(self, prompt: str) -> str:
        self._console.print(prompt, end="")
        self.prompts.append(prompt)
        if self.lines:
            line = self.lines.pop(0)
        elif self.responder is not None:
            line = self.responder(self._console.render_str(prompt).plain, self.output)
        else:
            raise EOFError
        self._console.print(line, markup=False, highlight=False)
        return line

    def edit(self, text: str, suffix: str) -> str | None:
        self.edited.append(text)
        return self.edits.pop(0) if self.edits else None


def last_shown_id(output: str) -> str:
    """The id of the question shown last (the panel's subtitle ends with it)."""
    found = SHOWN_ID.findall(output)
    assert found, output[-2000:]
    return str(found[-1])


def numbered(output: str, heading: str, separator: str) -> dict[str, int]:
    """The numbered list printed under the last `heading`: item text (code spans unquoted) → number."""
    block = output[output.rindex(heading) + len(heading):]
    items: dict[str, int] = {}
    for line in block.splitlines()[1:]:
        match = re.match(rf"^\s+(\d+){re.escape(separator)} (.+?)\s*$", line)
        if match is None:
            break
        items[match.group(2)] = int(match.group(1))
    return items


def plain(text: str) -> str:
    return text.replace("`", "")


class Candidate:
    """Types the full-marks answer to whatever question is on screen, after the commands in `before[id]`.

    Code questions are answered with `:file` on the bank's accepted program (and `run` first when
    `run_samples` names the question); essays are typed line by line and ended with `.`.
    """

    def __init__(self, workdir: Path, *, before: dict[str, list[str]] | None = None,
                 run_samples: tuple[str, ...] = ()) -> None:
        self.workdir = workdir
        self.before = dict(before or {})
        self.run_samples = run_samples
        self.shown: str | None = None
        self.queue: list[str] = []

    def __call__(self, prompt: str, output: str) -> str:
        if prompt.startswith("Submit the attempt now"):
            return "y"
        question_id = last_shown_id(output)
        if question_id != self.shown:
            self.shown = question_id
            self.queue = self.before.pop(question_id, [])
        if self.queue:
            return self.queue.pop(0)
        if prompt.startswith(("Go to question", "Submit the attempt?")):
            return ""
        return self.answer(question_id, prompt.strip(), output)

    def answer(self, question_id: str, prompt: str, output: str) -> str:
        value = json_answer(question_id)
        kind = sample_questions()[question_id].type
        if kind == "essay":
            self.queue = [*value.rstrip("\n").split("\n")[1:], "."]
            return str(value.split("\n")[0])
        if kind == "code":
            path = self.workdir / f"{question_id}.py"
            path.write_text(program(question_id))
            self.queue = [*(["run"] if question_id in self.run_samples else []), "submit"]
            return f":file {path}"
        if kind == "fill_blank":
            number = int(re.search(r"Blank (\d+)", prompt).group(1))  # type: ignore[union-attr]
            return str(value[number - 1])
        if kind == "matching":
            rights = {plain(text): n for text, n in numbered(output, "Right-hand items:", ")").items()}
            left = prompt.removesuffix("→ number>").strip()
            pairs = {plain(k): plain(v) for k, v in value.items()}
            return str(rights[pairs[left]])
        if kind == "ordering":
            items = {plain(text): n for text, n in numbered(output, "Items:", ".").items()}
            return " ".join(str(items[plain(item)]) for item in value)
        if kind == "mcq_multi":
            return ", ".join(value)
        if kind == "true_false":
            return "true" if value else "false"
        return str(value)
