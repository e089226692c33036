"""Run a lesson's checks without pytest: the engine of ``autograder grade`` and ``progress``.

The same check functions run under pytest for students; here they are imported once
and called directly, with the ``lesson`` object and the data fixtures, so a grader can
run thousands of them quickly and record every outcome as plain data.
"""

from __future__ import annotations

import importlib.util
import inspect
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from autograder.checking import CheckFailure
from autograder.fixtures import FIXTURES
from autograder.impl import Implementation, Lesson, SubmissionCrash, SubmissionError


class CheckDefinitionError(RuntimeError):
    """A check file breaks the conventions (unknown fixture, test without @check, ...)."""


@dataclass(frozen=True)
class Check:
    name: str
    func: Callable[..., Any]
    todo: int
    points: int
    params: tuple[str, ...]


@dataclass
class CheckResult:
    name: str
    todo: int
    max_points: int
    points: int
    status: str  # passed | failed | error | timeout | not run
    message: str = ""
    exc_type: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def collect(path: Path) -> list[Check]:
    """The checks of one check file, in the order they are defined."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"_ag_checks_{path.parent.name}_{path.stem}",
                                                  path)
    if spec is None or spec.loader is None:
        raise CheckDefinitionError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    checks = []
    for name, fn in vars(module).items():
        if not (name.startswith("test_") and callable(fn)):
            continue
        info = getattr(fn, "ag_check", None)
        if info is None:
            raise CheckDefinitionError(f"{path.name}: {name} has no @check(todo=..., points=...)")
        params = tuple(inspect.signature(fn).parameters)
        unknown = [p for p in params if p != "lesson" and p not in FIXTURES]
        if unknown:
            raise CheckDefinitionError(f"{path.name}: {name} asks for unknown fixtures {unknown}")
        checks.append(Check(name, fn, info.todo, info.points, params))
    if not checks:
        raise CheckDefinitionError(f"{path} defines no checks")
    return checks


class FixtureCache:
    """Builds each data fixture once; a fixture that fails keeps failing the same way."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._errors: dict[str, BaseException] = {}
        self._lock = threading.Lock()  # the grader runs checks in threads

    def get(self, name: str) -> Any:
        with self._lock:
            if name in self._errors:
                raise self._errors[name]
            if name not in self._values:
                try:
                    self._values[name] = FIXTURES[name]()
                except Exception as exc:
                    self._errors[name] = exc
                    raise
            return self._values[name]


def outcome(exc: BaseException) -> tuple[str, str, str]:
    """(status, exception type name, message) for an exception a check raised."""
    if isinstance(exc, CheckFailure):
        return "failed", "CheckFailure", str(exc)
    if isinstance(exc, SubmissionCrash):
        status = "timeout" if exc.exc_type == "Timeout" else "error"
        return status, exc.exc_type, exc.message
    if isinstance(exc, SubmissionError):
        return "error", exc.exc_type, str(exc)
    if isinstance(exc, AssertionError):
        return "failed", "AssertionError", str(exc) or "assertion failed"
    return "error", type(exc).__name__, f"{type(exc).__name__}: {exc}"


def run_check(check: Check, lesson: Lesson, fixtures: FixtureCache) -> CheckResult:
    start = time.perf_counter()
    try:
        kwargs = {p: lesson if p == "lesson" else fixtures.get(p) for p in check.params}
        check.func(**kwargs)
    except (Exception, SystemExit) as exc:  # a KeyboardInterrupt still stops the run
        status, exc_type, message = outcome(exc)
        return CheckResult(check.name, check.todo, check.points, 0, status, message, exc_type,
                           time.perf_counter() - start)
    return CheckResult(check.name, check.todo, check.points, check.points, "passed",
                       seconds=time.perf_counter() - start)


def run_checks(checks: list[Check], impl: Implementation,
               fixtures: FixtureCache | None = None) -> list[CheckResult]:
    """Run every check against ``impl`` and return one result per check."""
    fixtures = fixtures or FixtureCache()
    lesson = Lesson(impl)
    return [run_check(check, lesson, fixtures) for check in checks]


def score(results: list[CheckResult]) -> tuple[int, int]:
    """(points earned, points possible)."""
    return sum(r.points for r in results), sum(r.max_points for r in results)
