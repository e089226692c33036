"""What a student is told about a lesson's results: one summary for every use.

``pytest lessons/NN``, ``autograder progress``, a notebook's summary cell and the grader
all describe a lesson's results with :func:`summarize`, so the points, the checks not
run and "next: TODO 2" read the same everywhere. Checks that were not run (their data is
missing) count for nothing: neither in the points earned nor in the points possible.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.lessons import LessonFolder
from autograder.results import CheckResult


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 check``, ``2 checks``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def import_failed(results: list[CheckResult]) -> CheckResult | None:
    """The result that says the module could not be imported, if that is why checks failed."""
    return next((r for r in results if r.import_failed), None)


def import_reason(result: CheckResult) -> str:
    """Why the module did not import, the first line: ``SyntaxError at line 3: ...``."""
    return result.message.removeprefix(f"{result.file} could not be imported: ").splitlines()[0]


@dataclass(frozen=True)
class Summary:
    """A lesson's results in numbers, and the one line that tells them."""

    number: str
    earned: int  # points of the checks that ran
    possible: int
    passed: int
    ran: int  # checks that gave a verdict
    not_run: int
    not_run_points: int
    step: str  # "fix x.py first: ...", "next: TODO k: ...", "done" or ""
    lesson_points: int | None = None  # all the lesson's points, when only some were selected
    impl: str | None = None  # the implementation, when it is not the student's module

    @property
    def done(self) -> bool:
        return self.step == "done"

    def line(self) -> str:
        """``lesson 03: 10/10 points (8/8 checks passed); 2 checks (4 points) not run``."""
        where = f" ({self.impl})" if self.impl else ""
        if self.lesson_points is not None:
            head = (f"lesson {self.number}{where}: selected checks: {self.earned}/"
                    f"{self.possible} points of the lesson's {self.lesson_points}")
        else:
            head = f"lesson {self.number}{where}: {self.earned}/{self.possible} points"
        parts = [f"{head} ({self.passed}/{plural(self.ran, 'check')} passed)"]
        if self.not_run:
            parts.append(f"{plural(self.not_run, 'check')} "
                         f"({plural(self.not_run_points, 'point')}) not run")
        if self.step and not (self.done and self.lesson_points is not None):
            parts.append(self.step)  # "done" only when every check of the lesson passed
        return "; ".join(parts)


def next_step(info: LessonFolder, results: list[CheckResult]) -> str:
    """What to do next: fix the module, the first failing TODO, or nothing ("done")."""
    broken = import_failed(results)
    if broken is not None:
        return f"fix {broken.file} first: {import_reason(broken)}"
    failing = [r for r in results if r.ran and not r.passed]
    if not failing:
        return "done" if results and all(r.passed for r in results) else ""
    todo = min(r.todo for r in failing)
    text = info.todos().get(todo, "") if info.skeleton.is_file() else ""
    return f"next: TODO {todo}" + (f": {text}" if text else "")


def summarize(info: LessonFolder, results: list[CheckResult], lesson_points: int | None = None,
              impl: str | None = None) -> Summary:
    """The summary of ``results`` (checks of one lesson).

    ``lesson_points``: the points of all the lesson's checks; the line names them when the
    results are of fewer checks (``-k``, a notebook's cells run so far). ``impl``: the
    implementation, when it is not the student's module."""
    ran = [r for r in results if r.ran]
    not_run = [r for r in results if not r.ran]
    if lesson_points is not None and lesson_points == sum(r.max_points for r in results):
        lesson_points = None
    return Summary(
        number=info.number, earned=sum(r.points for r in ran),
        possible=sum(r.max_points for r in ran), passed=sum(r.passed for r in ran),
        ran=len(ran), not_run=len(not_run), not_run_points=sum(r.max_points for r in not_run),
        step=next_step(info, results), lesson_points=lesson_points, impl=impl)


def lesson_line(info: LessonFolder, results: list[CheckResult], lesson_points: int | None = None,
                impl: str | None = None) -> str:
    """One line: points of the checks that ran, what was selected or not run, what next."""
    return summarize(info, results, lesson_points, impl).line()
