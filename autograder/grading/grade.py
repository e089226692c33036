"""Grading: run a lesson's checks against submissions, each in its own sandboxed child.

The checks run here, in the grader; the student's code runs in a child process
forked from the zygote (see :mod:`autograder.sandbox`), and only plain data crosses.
A crash, a hang or a syntax error costs that submission the affected checks, never
the batch: results are reported as each submission finishes.
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from autograder import REPO_ROOT
from autograder.impl import SubmissionError
from autograder.lessons import LessonInfo, SOLUTIONS_DIR, LESSONS_DIR
from autograder.runner import (Budget, Check, CheckResult, FixtureCache, collect, run_checks,
                               score)
from autograder.sandbox import isolation
from autograder.sandbox.remote import RemoteImpl, SandboxConfig, SandboxUnavailable, Zygote
from autograder.grading.submissions import Submission

UID_BASE = 61000


@dataclass
class GradeOptions:
    jobs: int = os.cpu_count() or 1
    timeout: float = 60.0  # per check, seconds
    total_timeout: float = 600.0  # per submission, seconds
    memory: int = 4 << 30  # address space per submission, bytes
    isolation: str = "auto"  # auto | full | basic
    output_limit: int = 64 << 10
    checks: Path | None = None  # another check file (e.g. hidden checks)
    protected: list[Path] = field(default_factory=list)  # more paths to hide (outputs)


@dataclass
class SubmissionResult:
    student: str
    source: str
    results: list[CheckResult]
    output: str = ""
    seconds: float = 0.0
    error: str | None = None  # the submission could not be read

    @property
    def score(self) -> int:
        return score(self.results)[0]

    @property
    def max_score(self) -> int:
        return score(self.results)[1]


def _free_uids(count: int) -> list[int]:
    uids, uid = [], UID_BASE
    while len(uids) < count:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            uids.append(uid)
        uid += 1
    return uids


class Sandbox:
    """The zygote and the confinement shared by every submission of a grading run."""

    def __init__(self, options: GradeOptions, extra_protected: tuple[Path, ...] = (),
                 log: Callable[[str], None] | None = None):
        self.options = options
        self.log = log or (lambda message: None)
        self.tmp = Path(tempfile.mkdtemp(prefix="autograder-"))
        os.chmod(self.tmp, 0o711)  # sandbox uids may pass through to their own folder only
        self.zygote: Zygote | None = None
        self.notes: list[str] = []
        try:
            self._start(extra_protected)
        except BaseException:
            self.close()
            raise
        self._slots = (_free_uids(max(1, options.jobs)) if os.getuid() == 0
                       else [None] * max(1, options.jobs))
        self._slot_lock = threading.Lock()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self, extra_protected: tuple[Path, ...]) -> None:
        cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "makemore-autograded"
        self.zygote = Zygote(cache)
        root = self.tmp / "root"
        root.mkdir()
        protected = {str(Path(p).resolve()) for p in (
            LESSONS_DIR, SOLUTIONS_DIR, REPO_ROOT / "tests", self.tmp,
            *self.options.protected, *extra_protected,
            *([Path(self.options.checks).parent] if self.options.checks else []))}
        binds = isolation.plan_binds([*isolation.SYSTEM_DIRS, *self.zygote.info["paths"]],
                                     sorted(protected))
        limits = isolation.Limits(memory=self.options.memory,
                                  cpu=int(self.options.total_timeout) + 5)
        self.config = SandboxConfig("full", str(root), tuple(binds), tuple(sorted(protected)),
                                    limits, self.options.output_limit)
        if self.options.isolation not in ("auto", "full"):
            self.config = replace(self.config, isolation="basic")
            return
        problem = self._probe(_free_uids(1)[0] if os.getuid() == 0 else None)
        if problem and self.options.isolation == "full":
            raise SandboxUnavailable(f"full isolation is not available here: {problem}")
        if problem:
            self.log(f"warning: full isolation is not available ({problem}); submissions "
                     "run with resource limits only (see README, 'What is enforced where')")
            self.config = replace(self.config, isolation="basic")

    def _probe(self, uid: int | None) -> str | None:
        """None if a fully isolated child starts here, else why not."""
        work = self.tmp / "probe"
        work.mkdir()
        (work / "probe.py").write_text("")
        self.prepare_workdir(work, uid)
        impl = RemoteImpl(self.zygote, self.config, work, "probe", "probe.py", uid)
        impl.begin_check(60.0, None)
        try:
            impl.start()
            self.notes = impl.notes
            return None
        except SubmissionError as exc:
            return exc.message
        finally:
            impl.close()
            shutil.rmtree(work, ignore_errors=True)

    def close(self) -> None:
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None
        shutil.rmtree(self.tmp, ignore_errors=True)

    @staticmethod
    def prepare_workdir(work: Path, uid: int | None) -> None:
        os.chmod(work, 0o700)
        if uid is not None:
            for path in (work, *work.iterdir()):
                os.chown(path, uid, uid)

    def take_slot(self) -> int | None:
        with self._slot_lock:
            return self._slots.pop()

    def give_slot(self, uid: int | None) -> None:
        with self._slot_lock:
            self._slots.append(uid)


class Grader:
    """Grades submissions of one lesson in a :class:`Sandbox`."""

    def __init__(self, lesson: LessonInfo, sandbox: Sandbox, checks: list[Check] | None = None,
                 fixtures: FixtureCache | None = None):
        self.lesson = lesson
        self.sandbox = sandbox
        self.options = sandbox.options
        self.checks: list[Check] = checks or collect(self.options.checks or lesson.checks,
                                                    api_from=lesson.checks)
        self.fixtures = fixtures or FixtureCache()

    # ------------------------------------------------------------- grading
    def grade(self, submission: Submission) -> SubmissionResult:
        """Run every check against one submission."""
        start = time.monotonic()
        if submission.content is None:
            results = [CheckResult(c.name, c.todo, c.points, 0, "error",
                                   f"the submission could not be read: {submission.error}",
                                   "SubmissionError") for c in self.checks]
            return SubmissionResult(submission.student, str(submission.source), results,
                                    error=submission.error)
        sandbox = self.sandbox
        uid = sandbox.take_slot()
        work = Path(tempfile.mkdtemp(dir=sandbox.tmp, prefix="sub-"))
        filename = f"{self.lesson.module}.py"
        (work / filename).write_bytes(submission.content)
        sandbox.prepare_workdir(work, uid)
        impl = RemoteImpl(sandbox.zygote, sandbox.config, work, self.lesson.module, filename, uid)
        try:
            results = run_checks(self.checks, impl, self.fixtures,
                                 Budget(self.options.timeout, self.options.total_timeout))
        finally:
            impl.close()
            sandbox.give_slot(uid)
            shutil.rmtree(work, ignore_errors=True)
        return SubmissionResult(submission.student, str(submission.source), results,
                                impl.output(), time.monotonic() - start)

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
                result = SubmissionResult(sub.student, str(sub.source), [
                    CheckResult(c.name, c.todo, c.points, 0, "error",
                                f"internal grader error: {exc}", type(exc).__name__)
                    for c in self.checks], error=f"internal grader error: {exc}")
            with lock:
                results[index] = result
                if on_result:
                    on_result(result)

        with ThreadPoolExecutor(max_workers=max(1, self.options.jobs)) as pool:
            list(pool.map(work, range(len(submissions))))
        return [r for r in results if r is not None]
