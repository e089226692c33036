"""Data fixtures shared by every lesson's checks.

Checks ask for them by parameter name (``def test_x(lesson, words)``). The pytest
plugin and the grader's runner both build them from this one table, once per session.
"""

from __future__ import annotations

from typing import Any, Callable

from autograder import data


def words() -> list[str]:
    """The 32033 names of names.txt (verified against its sha256)."""
    return list(data.load_words())


def shakespeare() -> str:
    """The tiny Shakespeare text, 1,115,394 characters."""
    return data.read_text("shakespeare")


FIXTURES: dict[str, Callable[[], Any]] = {
    "words": words,
    "shakespeare": shakespeare,
}

# the dataset (data/manifest.json) each fixture reads
DATASETS: dict[str, str] = {
    "words": "names",
    "shakespeare": "shakespeare",
}
