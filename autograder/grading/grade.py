"""Grading: run a lesson's checks against submissions, each in its own sandboxed child.

The checks run here, in the grader; the student's code runs in a child process
forked from the zygote (see :mod:`autograder.sandbox`), and only plain data crosses.
A crash, a hang or a syntax error costs that submission the affected checks, never
the batch: results are reported as each submission finishes.
"""

from __future__ import annotations

import ast
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder.lessons import LessonFolder
from autograder import checking
from autograder.results import Status
from autograder.runner import (Budget, Check, CheckResult, FixtureCache, collect, run_checks,
                               score)
from autograder.sandbox import wire
from autograder.sandbox.remote import NAME_LIMIT, STRING_LIMIT, clip
from autograder.sandbox.sandbox import Sandbox, UID_BASE  # noqa: F401  (Sandbox: public here)
from autograder.grading.kinds import Problem, ProblemKind
from autograder.grading.submission import Submission


@dataclass
class GradeOptions:
    jobs: int = os.cpu_count() or 1
    timeout: float = 60.0  # per check, seconds
    total_timeout: float = 600.0  # per submission, seconds
    memory: int = 4 << 30  # memory of a submission, bytes (see Sandbox.memory_accounting)
    isolation: str = "auto"  # auto | full | basic
    output_limit: int = 64 << 10
    disk: int = 64 << 20  # size of each writable tmpfs of a submission (/submission, /tmp)
    max_message: int | None = None  # bytes of one reply (None: the lesson's, else the default)
    checks: Path | None = None  # another check file (e.g. hidden checks)
    protected: list[Path] = field(default_factory=list)  # more paths to hide (outputs)


@dataclass
class SubmissionResult:
    student: str
    source: str
    results: list[CheckResult]
    output: str = ""
    seconds: float = 0.0
    error: Problem | None = None  # why the submission could not be read
    notes: list[str] = field(default_factory=list)  # what intake did (choice, rewrites, hints)

    @property
    def score(self) -> int:
        return score(self.results)[0]

    @property
    def max_score(self) -> int:
        return score(self.results)[1]


def _call_graph(tree: ast.Module) -> tuple[dict[str, set[str]], set[str]]:
    """Module-level function -> the names it calls, and the functions that call
    ``.helper(...)`` themselves."""
    calls: dict[str, set[str]] = {}
    direct: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = set()
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call):
                    if isinstance(sub.func, ast.Attribute) and sub.func.attr == "helper":
                        direct.add(node.name)
                    elif isinstance(sub.func, ast.Name):
                        names.add(sub.func.id)
            calls[node.name] = names
    return calls, direct


def calls_helper(check: Check) -> bool:
    """True if the check calls ``lesson.helper(...)``, itself or through functions of its
    module or of the check vocabulary (``expect_unmodified``): its verdict rests on data
    computed next to the student's code (README, 'What is enforced where')."""
    try:
        tree = ast.parse(Path(check.func.__code__.co_filename).read_text(encoding="utf-8"))
        vocabulary = ast.parse(Path(checking.__file__).read_text(encoding="utf-8"))
    except (OSError, AttributeError, SyntaxError, UnicodeDecodeError):
        return False
    calls, direct = _call_graph(vocabulary)
    own_calls, own_direct = _call_graph(tree)
    calls.update(own_calls)  # the check module's own functions shadow the vocabulary's
    direct = (direct - set(own_calls)) | own_direct
    seen, todo = set(), [check.func.__name__]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in direct:
            return True
        todo.extend(calls.get(name, ()))
    return False


def result_bytes(checks: list[Check], chosen: int | None = None) -> int:
    """The largest reply (bytes) to accept from a submission's process: ``chosen`` if
    given, else the ``max_result_bytes`` of the lesson's contract if it sets one (a lesson
    whose functions return big tensors, or one that wants a tighter cap), else
    :data:`autograder.sandbox.wire.MAX_MESSAGE`."""
    if chosen is not None:
        return chosen
    sizes = [c.contract.max_result_bytes for c in checks
             if c.contract is not None and c.contract.max_result_bytes is not None]
    return max(sizes) if sizes else wire.MAX_MESSAGE


def _clipped(result: CheckResult) -> CheckResult:
    """Strings of a result cut like the output: a submission controls what they hold."""
    result.message = clip(result.message, 2 * STRING_LIMIT)
    if result.exc_type is not None:
        result.exc_type = clip(result.exc_type, NAME_LIMIT)
    return result


def _number(lesson: LessonFolder) -> int:
    return int(lesson.number) if str(lesson.number).isdigit() else 0


class Grader:
    """Grades submissions of one lesson in a :class:`Sandbox`."""

    def __init__(self, lesson: LessonFolder, sandbox: Sandbox, checks: list[Check] | None = None,
                 fixtures: FixtureCache | None = None):
        self.lesson = lesson
        self.sandbox = sandbox
        self.options = sandbox.options
        self.checks: list[Check] = checks or collect(self.options.checks or lesson.checks,
                                                    api_from=lesson.checks)
        self.fixtures = fixtures or FixtureCache()
        self.student_side = {c.name for c in self.checks if calls_helper(c)}
        self.max_message = result_bytes(self.checks, self.options.max_message)

    # ------------------------------------------------------------- grading
    def grade(self, submission: Submission) -> SubmissionResult:
        """Run every check against one submission."""
        start = time.monotonic()
        if submission.content is None:
            results = [CheckResult(c.name, c.todo, c.points, 0, Status.ERROR,
                                   f"the submission could not be read: {submission.error}",
                                   "SubmissionError") for c in self.checks]
            return SubmissionResult(submission.student, submission.entry or str(submission.source),
                                    results, error=submission.error,
                                    notes=list(submission.notes))
        filename = f"{self.lesson.module}.py"
        with self.sandbox.submission(filename, submission.content, self.lesson.module,
                                     _number(self.lesson), submission.siblings) as impl:
            impl.max_message = self.max_message
            results = run_checks(self.checks, impl, self.fixtures,
                                 Budget(self.options.timeout, self.options.total_timeout))
            output = impl.output()
        for r in results:
            _clipped(r)
            if r.name in self.student_side:
                r.student_side = True
        return SubmissionResult(submission.student, submission.entry or str(submission.source),
                                results, output, time.monotonic() - start,
                                notes=list(submission.notes))

    def grade_all(self, submissions: list[Submission],
                  on_result: Callable[[SubmissionResult], None] | None = None
                  ) -> list[SubmissionResult]:
        """Grade many submissions, ``jobs`` at a time; results in input order."""
        results: list[SubmissionResult | None] = [None] * len(submissions)
        lock = threading.Lock()

        def work(index: int) -> None:
            try:
                result = self.grade(submissions[index])
            except Exception as exc:  # a grader bug must not lose the other students
                sub = submissions[index]
                why = Problem(ProblemKind.GRADER_ERROR,
                              f"internal grader error: {clip(exc, STRING_LIMIT)}")
                result = SubmissionResult(sub.student, sub.entry or str(sub.source), [
                    CheckResult(c.name, c.todo, c.points, 0, Status.ERROR, str(why),
                                type(exc).__name__)
                    for c in self.checks], error=why)
            with lock:
                results[index] = result
                if on_result:
                    on_result(result)

        with ThreadPoolExecutor(max_workers=max(1, self.options.jobs)) as pool:
            list(pool.map(work, range(len(submissions))))
        return [r for r in results if r is not None]
