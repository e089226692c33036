"""How a graded submission is shown: its status and first problem, the terminal table,
its CSV cells, and its entries in Gradescope's results.json and the class results.json."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from autograder.grading.grade import SubmissionResult
from autograder.grading.kinds import SubmissionStatus
from autograder.results import Status
from autograder.runner import Check, CheckResult
from autograder.summary import import_reason


def check_title(result: CheckResult) -> str:
    return f"TODO {result.todo}: {result.name}"


def gradescope_json(result: SubmissionResult, visibility: str = "visible") -> dict[str, Any]:
    """One submission in Gradescope's results.json format."""
    tests = []
    for r in result.results:
        tests.append({
            "name": check_title(r),
            "score": r.points,
            "max_score": r.max_points,
            "status": "passed" if r.passed else "failed",
            "output": r.message if not r.passed else "passed",
            "visibility": visibility,
            # the verdict rests on data computed next to the student's code (README)
            **({"tags": ["student-side helper"]} if r.student_side else {}),
        })
    output = f"{result.student}: {result.score}/{result.max_score} points"
    if result.error:
        output += f"\nThe submission could not be read: {result.error}"
    for note in result.notes:
        output += f"\nNote: {note}"
    if result.output:
        output += "\n\nOutput of your code (stdout and stderr):\n" + result.output
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.seconds, 3),
        "output": output,
        "visibility": visibility,
        "stdout_visibility": visibility,
        "tests": tests,
    }


def class_entry(result: SubmissionResult, visibility: str = "visible") -> dict[str, Any]:
    """One student's entry of the class results.json: Gradescope's format plus
    ``extra_data`` (Gradescope's field for extra facts) holding what the gradebook, the
    class report and ``autograder merge`` need: status, problem, the entry graded, the
    intake notes and per check [name, todo, points, max points, status]."""
    entry = gradescope_json(result, visibility)
    entry["extra_data"] = {
        "status": status(result),
        "problem": reason(result, 200),
        "source": result.source,
        "notes": list(result.notes),
        "checks": [[r.name, r.todo, r.points, r.max_points, r.status] for r in result.results],
    }
    return entry


def results_json(results: list[SubmissionResult], visibility: str = "visible") -> str:
    """The class results.json: an object keyed by student name, however many there are
    (the ``gradescope`` command writes one student's file in Gradescope's own format)."""
    payload = {r.student: class_entry(r, visibility) for r in results}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def csv_safe(cell: Any) -> Any:
    """A text cell a spreadsheet cannot run as a formula: one starting with ``=``, ``+``,
    ``-``, ``@`` (or a tab, a carriage return, a quote) gets a leading ``'``."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def csv_unsafe(cell: str) -> str:
    """The text :func:`csv_safe` escaped."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


PROBLEMS = (Status.ERROR, Status.TIMEOUT, Status.NOT_RUN)  # check statuses that make ERROR


def status(result: SubmissionResult) -> SubmissionStatus:
    """GRADED (every check ran; wrong answers allowed), ERROR (a check could not run to
    the end: the code raised, crashed, hung or was not reached) or UNREADABLE."""
    if result.error:
        return SubmissionStatus.UNREADABLE
    return SubmissionStatus.ERROR if any(r.status in PROBLEMS for r in result.results) else SubmissionStatus.GRADED


def reason(result: SubmissionResult, width: int = 60) -> str:
    """The first problem in a few words: why a submission has errors, "" when none."""
    if result.error:
        text = result.error
    else:
        bad = next((r for r in result.results if r.status in PROBLEMS), None)
        if bad is None:
            return ""
        first = bad.message.splitlines()[0] if bad.message else bad.status
        if bad.import_failed:
            text = import_reason(bad)
        elif bad.status is Status.TIMEOUT:
            text = f"time limit in {bad.name}"
        elif bad.status is Status.NOT_RUN:
            text = first.removeprefix("not run: ")
        else:
            text = first
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def gradebook_csv(results: list[SubmissionResult], checks: list[Check]) -> str:
    """One row per student, one column per check (its points), the total, the status
    (graded / error / unreadable) and the first problem; the second row holds the
    maximum points."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *[c.name for c in checks], "total", "status", "problem"])
    writer.writerow(["max points", *[c.points for c in checks], sum(c.points for c in checks),
                     "", ""])
    for r in results:
        by_name = {c.name: c.points for c in r.results}
        writer.writerow([csv_safe(r.student), *[by_name.get(c.name, 0) for c in checks], r.score,
                         status(r), csv_safe(reason(r, 200))])
    return out.getvalue()


MARK = {Status.PASSED: "ok", Status.FAILED: "FAIL", Status.ERROR: "ERR", Status.TIMEOUT: "TIME",
        Status.NOT_RUN: "--"}


def table(results: list[SubmissionResult], checks: list[Check]) -> str:
    """A fixed-width table: a row per student, a column per check, the first problem."""
    width = max([7, *(len(r.student) for r in results)])
    head = (f"{'student':<{width}}  {'points':>7}  "
            + " ".join(f"{i + 1:>4}" for i in range(len(checks))) + "  problem")
    lines = [head, "-" * len(head)]
    for r in results:
        marks = " ".join(f"{MARK.get(c.status, c.status[:4]):>4}" for c in r.results)
        if r.error:
            marks = " ".join(f"{'ERR':>4}" for _ in checks)
        lines.append(f"{r.student:<{width}}  {r.score:>3}/{r.max_score:<3}  {marks}  {reason(r, 40)}"
                     .rstrip())
    lines.append("")
    lines += [f"{i + 1:>4}: TODO {c.todo}, {c.name} ({c.points} point{'s' * (c.points != 1)})"
              for i, c in enumerate(checks)]
    lines.append("marks: ok passed, FAIL wrong answer, ERR the code raised or crashed, "
                 "TIME time limit, -- not run")
    return "\n".join(lines)


def first_problem(result: SubmissionResult) -> str:
    for r in result.results:
        if not r.passed:
            return f"{r.name}: {r.message.splitlines()[0] if r.message else r.status}"
    return ""
