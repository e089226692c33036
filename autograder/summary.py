"""What a student is told about a lesson: one wording for pytest, progress and notebooks.

The pytest plugin, ``autograder progress`` and the notebook test cells all describe a
lesson's results with these functions, so "fix embedding.py first" or "next: TODO 2"
reads the same everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autograder.lessons import LessonInfo

if TYPE_CHECKING:  # importing the runner loads torch: commands that only print stay light
    from autograder.runner import CheckResult


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 check``, ``2 checks``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def import_failed(results: list[CheckResult]) -> CheckResult | None:
    """The result that says the module could not be imported, if that is why checks failed."""
    for r in results:
        if r.exc_type == "ImportFailed":
            return r
    return None


def broken_file(result: CheckResult) -> str:
    """The file named by an import failure's message ("x.py could not be imported: ...")."""
    return result.message.split(" could not be imported", 1)[0]


def next_step(info: LessonInfo, results: list[CheckResult]) -> str:
    """What to do next: fix the module, the first failing TODO, or nothing."""
    broken = import_failed(results)
    if broken is not None:
        reason = broken.message.split("could not be imported: ", 1)[-1].splitlines()[0]
        return f"fix {broken_file(broken)} first: {reason}"
    failing = [r for r in results if r.status in ("failed", "error", "timeout")]
    if not failing:
        return "done" if results and all(r.passed for r in results) else ""
    todo = min(r.todo for r in failing)
    text = info.todos().get(todo, "")
    return f"next: TODO {todo}" + (f": {text}" if text else "")


def lesson_line(info: LessonInfo, results: list[CheckResult], lesson_points: int | None = None,
                impl: str | None = None) -> str:
    """One line: points of the checks that ran, what was selected or not run, what next.

    ``lesson_points``: the points of all the lesson's checks, when only some were
    selected (``-k``); ``impl``: the implementation, when it is not the student's module.
    """
    from autograder.runner import score

    earned, possible = score([r for r in results if r.status != "not run"])
    ran = [r for r in results if r.status != "not run"]
    passed = sum(r.passed for r in results)
    where = f" ({impl})" if impl else ""
    if lesson_points is not None and lesson_points != sum(r.max_points for r in results):
        head = (f"lesson {info.number}{where}: selected checks: {earned}/{possible} points "
                f"of the lesson's {lesson_points}")
    else:
        head = f"lesson {info.number}{where}: {earned}/{possible} points"
    parts = [f"{head} ({passed}/{len(ran)} {'check' if len(ran) == 1 else 'checks'} passed)"]
    not_run = [r for r in results if r.status == "not run"]
    if not_run:
        parts.append(f"{plural(len(not_run), 'check')} "
                     f"({plural(sum(r.max_points for r in not_run), 'point')}) not run")
    step = next_step(info, results)
    if step and step != "done":
        parts.append(step)
    return "; ".join(parts)
