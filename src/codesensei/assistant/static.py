"""Static analysis by language: the findings the assistant and the code review point at."""

from __future__ import annotations

from codesensei.assistant.findings import Finding
from codesensei.assistant.jschecks import check_javascript
from codesensei.assistant.pychecks import check_python


def static_findings(code: str, language: str | None) -> list[Finding]:
    if language == "python":
        return check_python(code)
    if language == "javascript":
        return check_javascript(code)
    return []
