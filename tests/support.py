"""Shared helpers of the project's own tests (on sys.path through pytest's `pythonpath`)."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from autograder import REPO_ROOT
from autograder.impl import LocalImpl
from autograder.lessons import LessonFolder, all_lessons
from autograder.runner import Check, CheckResult, FixtureCache, collect, run_checks

LESSONS = all_lessons()
LESSON_IDS = [info.number for info in LESSONS]
_FIXTURES = FixtureCache()  # names.txt and friends, loaded once for the whole session


@functools.lru_cache(maxsize=None)
def _collected(path: Path) -> tuple[Check, ...]:
    """A lesson's checks, imported once per session: their module-level caches (the
    names.txt datasets they build) then serve every mutant and test of the lesson."""
    return tuple(collect(path))


def lesson_checks(info: LessonFolder, slow: bool = True, todo: int | None = None) -> list[Check]:
    checks = _collected(info.checks)
    return [c for c in checks
            if (slow or not c.info.slow) and (todo is None or c.todo == todo)]


def run_lesson(info: LessonFolder, path: Path, checks: list[Check] | None = None,
               device: str = "cpu") -> list[CheckResult]:
    impl = LocalImpl(path, info.module, device=device)
    try:
        return run_checks(checks if checks is not None else lesson_checks(info), impl, _FIXTURES)
    finally:
        impl.close()


def load_catalogue(folder: str, table: str) -> list[tuple[LessonFolder, str, dict]]:
    """Every entry of tests/<folder>/lessonNN.py's ``table`` as (lesson, name, spec)."""
    by_number = {info.number: info for info in LESSONS}
    found = []
    for path in sorted((REPO_ROOT / "tests" / folder).glob("lesson[0-9][0-9].py")):
        spec = importlib.util.spec_from_file_location(f"_{folder}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        info = by_number[path.stem[len("lesson"):]]
        found.extend((info, name, fields) for name, fields in getattr(module, table).items())
    return found


def load_mutants() -> list[tuple[LessonFolder, str, dict]]:
    """Every mutant of tests/mutants/lessonNN.py as (lesson, name, spec)."""
    return load_catalogue("mutants", "MUTANTS")


def run_edited(info: LessonFolder, name: str, spec: dict, tmp_path: Path) -> list[CheckResult]:
    """The reference with ``spec["old"]`` replaced by ``spec["new"]``, run against the
    checks of its own TODO (``slow`` and ``device`` as the spec says)."""
    source = info.solution.read_text()
    assert source.count(spec["old"]) == 1, f"{name}: 'old' must occur exactly once"
    program = tmp_path / f"{info.module}.py"
    program.write_text(source.replace(spec["old"], spec["new"]))
    checks = lesson_checks(info, slow=spec.get("slow", False), todo=spec["todo"])
    assert checks, f"lesson {info.number} has no checks for TODO {spec['todo']}"
    return run_lesson(info, program, checks, device=spec.get("device", "cpu"))
