"""Stable question ids for questions written without one."""

from __future__ import annotations

import hashlib
import re


def derive_question_id(question_type: str, text: str) -> str:
    """The same type and text (ignoring case and runs of whitespace) always give the same id."""
    normalised = re.sub(r"\s+", " ", text.strip().lower())
    digest = hashlib.sha256(f"{question_type}\n{normalised}".encode()).hexdigest()[:12]
    return f"{question_type.replace('_', '-')}-{digest}"
