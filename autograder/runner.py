"""The one place that runs checks: for pytest, notebooks, grading and the project's tests.

A check is a function marked ``@check(todo=k, points=p)`` in a lesson's check module.
:func:`collect` imports the module once and returns its checks, each carrying its
:class:`~autograder.checking.CheckInfo`; it refuses a module whose checks call a
function the lesson's contract does not declare (:mod:`autograder.contract`). :func:`run_checks`
calls them with the ``lesson`` object and the data fixtures, owns the time budgets (per
check and per submission) and turns every outcome into a :class:`CheckResult` of plain
data: passed, failed, error, timeout or not run.
"""

from __future__ import annotations

import importlib.util
import inspect
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from autograder.errors import AutograderError
from autograder import contract as contracts
from autograder.checking import CheckFailure, CheckInfo
from autograder.contract import Contract, UndeclaredCall
from autograder.data import DataError
from autograder.results import (IMPORT_FAILED, STATUSES, CheckResult, Status,  # noqa: F401
                                score)
from autograder.fixtures import FIXTURES
from autograder.impl import (Implementation, Lesson, SubmissionCrash, SubmissionError,
                             SubmissionImportError)


class CheckDefinitionError(AutograderError, RuntimeError):
    """A check file breaks the conventions (unknown fixture, test without @check, ...)."""


@dataclass(frozen=True)
class Check:
    name: str
    func: Callable[..., Any]
    info: CheckInfo
    params: tuple[str, ...]
    contract: Contract | None = None  # its lesson's: what the check may call

    @property
    def todo(self) -> int:
        return self.info.todo

    @property
    def points(self) -> int:
        return self.info.points




def checks_of(module: Any, where: str, contract: Contract | None = None) -> list[Check]:
    """The checks defined in an imported check module, in definition order, held to
    ``contract``."""
    checks = []
    for name, fn in vars(module).items():
        if not (name.startswith("test_") and callable(fn)):
            continue
        info = getattr(fn, "ag_check", None)
        if not isinstance(info, CheckInfo):
            raise CheckDefinitionError(f"{where}: {name} has no @check(todo=..., points=...)")
        params = tuple(inspect.signature(fn).parameters)
        unknown = [p for p in params if p != "lesson" and p not in FIXTURES]
        if unknown:
            raise CheckDefinitionError(f"{where}: {name} asks for unknown fixtures {unknown}")
        checks.append(Check(name, fn, info, params, contract))
    if not checks:
        raise CheckDefinitionError(f"{where} defines no checks")
    return checks


def validate(path: Path, api_from: Path | None = None) -> Contract:
    """The contract of a check file; refuse the file if its checks call functions the
    contract does not declare."""
    try:
        problems = contracts.undeclared_calls(path, api_from)
        contract = contracts.contract_of(path, api_from)
    except contracts.ContractError as exc:
        raise CheckDefinitionError(str(exc)) from None
    if problems:
        raise CheckDefinitionError("\n".join(problems))
    return contract


def collect(path: Path, api_from: Path | None = None) -> list[Check]:
    """The checks of one check file, in the order they are defined.

    ``api_from``: the lesson's own check module, whose contract a check file kept
    elsewhere (hidden checks) is held to; by default the file's own table."""
    path = Path(path)
    contract = validate(path, None if api_from is None or Path(api_from) == path else api_from)
    spec = importlib.util.spec_from_file_location(f"_ag_checks_{path.parent.name}_{path.stem}",
                                                  path)
    if spec is None or spec.loader is None:
        raise CheckDefinitionError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return checks_of(module, path.name, contract)


class MissingData(AutograderError):
    """A dataset a check needs is missing or corrupt: the check is not run, not failed."""


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


def _hint(check: Check, todos: dict[int, str] | None) -> str:
    if check.info.hint:
        return check.info.hint
    text = (todos or {}).get(check.todo)
    return f"TODO {check.todo} asks: {text}" if text else f"see TODO {check.todo} of the lesson"


def outcome(exc: BaseException, check: Check | None = None, lesson: Lesson | None = None,
            todos: dict[int, str] | None = None) -> tuple[Status, str, str]:
    """(status, exception type name, message) for an exception a check raised.

    The message is for the student: what their code raised, where in their file, and the
    check's hint; never a frame of the harness.
    """
    hint = _hint(check, todos) if check is not None else ""
    if isinstance(exc, UndeclaredCall):  # the check's fault, never the student's
        return Status.ERROR, "UndeclaredCall", f"this check is broken (not your code): {exc}"
    if isinstance(exc, MissingData):
        return Status.NOT_RUN, "MissingData", str(exc)
    if isinstance(exc, CheckFailure):
        return Status.FAILED, "CheckFailure", str(exc)
    if isinstance(exc, SubmissionImportError):
        return Status.ERROR, IMPORT_FAILED, exc.message
    if isinstance(exc, SubmissionCrash):
        status = Status.TIMEOUT if exc.exc_type == "Timeout" else Status.ERROR
        return status, exc.exc_type, exc.message
    if isinstance(exc, SubmissionError):
        frames = f"\n{exc.traceback.rstrip()}" if exc.traceback.strip() else ""
        if exc.exc_type == "NotImplementedError":  # the skeleton's raise: where, not what again
            frames = "\n".join(line.split(": raise NotImplementedError", 1)[0]
                               for line in frames.split("\n"))
            return Status.ERROR, exc.exc_type, (f"NotImplementedError: {exc.message}{frames}"
                                           "\n  (replace that raise with your code)")
        if exc.exc_type in ("MissingFunction", "ReturnedNonPlainData"):
            return Status.ERROR, exc.exc_type, exc.message
        called = f"{exc.function}() raised" if exc.function else "your code raised"
        return Status.ERROR, exc.exc_type, (f"{called} {exc.exc_type}: {exc.message}{frames}"
                                       + (f"\n  hint: {hint}" if hint else ""))
    if isinstance(exc, AssertionError):
        return Status.FAILED, "AssertionError", str(exc) or "assertion failed"
    # the check itself choked on what came back (a wrong shape or type, most likely)
    last = getattr(lesson, "_last", "") if lesson is not None else ""
    what = f"what {last}() returned" if last else "the result"
    return Status.FAILED, type(exc).__name__, (
        f"{what} could not be checked ({type(exc).__name__}: {exc}): check its type and "
        "shape against the docstring" + (f"\n  hint: {hint}" if hint else ""))


@dataclass(frozen=True)
class Budget:
    """Time limits: seconds per check (a check may ask for more) and per submission."""

    check: float | None = None
    total: float | None = None


def call_check(check: Check, kwargs: dict[str, Any],
               todos: dict[int, str] | None = None) -> CheckResult:
    """Call one check with its arguments; every outcome, the student's exceptions
    included, becomes a result."""
    start = time.perf_counter()
    try:
        missing = [v for v in kwargs.values() if isinstance(v, MissingData)]
        if missing:
            raise missing[0]
        check.func(**kwargs)
    except (Exception, SystemExit) as exc:  # a KeyboardInterrupt still stops the run
        status, exc_type, message = outcome(exc, check, kwargs.get("lesson"), todos)
        file = getattr(exc, "file", "") if exc_type == IMPORT_FAILED else ""
        return CheckResult(check.name, check.todo, check.points, 0, status, message, exc_type,
                           time.perf_counter() - start, file=file)
    return CheckResult(check.name, check.todo, check.points, check.points, Status.PASSED,
                       seconds=time.perf_counter() - start)


def fixture_value(fixtures: FixtureCache, name: str) -> Any:
    """A data fixture, or a MissingData standing for it when the dataset is unavailable."""
    try:
        return fixtures.get(name)
    except DataError as exc:
        return MissingData(f"not run: {exc}")


def run_check(check: Check, lesson: Lesson, fixtures: FixtureCache,
              todos: dict[int, str] | None = None) -> CheckResult:
    """Run one check against ``lesson`` with the data fixtures it asks for."""
    kwargs = {p: lesson if p == "lesson" else fixture_value(fixtures, p) for p in check.params}
    return call_check(check, kwargs, todos)


def not_run(check: Check, why: str, exc_type: str = "NotRun") -> CheckResult:
    return CheckResult(check.name, check.todo, check.points, 0, Status.NOT_RUN,
                       f"not run: {why}", exc_type)


def run_checks(checks: list[Check], impl: Implementation, fixtures: FixtureCache | None = None,
               budget: Budget | None = None,
               on_result: Callable[[CheckResult], None] | None = None,
               todos: dict[int, str] | None = None) -> list[CheckResult]:
    """Run every check against ``impl``; one result per check, in order.

    With a ``budget``, each check may run ``max(budget.check, its own timeout)`` seconds
    of the student's code (enforced by implementations that can stop it: the sandbox),
    and checks not reached before ``budget.total`` is spent are "not run".
    """
    fixtures = fixtures or FixtureCache()
    budget = budget or Budget()
    lessons = {id(c.contract): Lesson(impl, c.contract) for c in checks}
    end = None if budget.total is None else time.monotonic() + budget.total
    results = []
    for check in checks:
        now = time.monotonic()
        if end is not None and now >= end:
            result = not_run(check, f"the submission used up its total time limit of "
                                    f"{budget.total:g} s", "Timeout")
        else:
            limit = None
            if budget.check is not None:
                limit = max(budget.check, check.info.timeout or 0)
            impl.begin_check(limit, end)
            result = run_check(check, lessons[id(check.contract)], fixtures, todos)
            if result.status is Status.TIMEOUT and limit is not None:
                result.message += f" (limit {min(limit, (end or now + limit) - now):.3g} s)"
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
