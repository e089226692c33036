"""The gradebook of a class: a CSV and a results.json that survive regrades and merges.

Grading into files that already hold students updates the rows of the students graded
now and keeps every other row (``--fresh`` starts anew). Both files are built from one
store, the class results.json entries (see :func:`formats.class_entry`), so a gradebook
merged from shards (``autograder merge``) is the same as one graded in one run. Rows are
ordered by student name, whatever order the submissions were graded in.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.grading import formats
from autograder.grading.atomic import write_atomically
from autograder.grading.grade import SubmissionResult
from autograder.runner import Check
from autograder.errors import AutograderError

BOM = "\ufeff"


class GradebookError(AutograderError, RuntimeError):
    """An existing gradebook that cannot be updated (other checks, not ours, unreadable)."""


@dataclass
class CheckSpec:
    name: str
    todo: int
    points: int


def specs(checks: list[Check]) -> list[CheckSpec]:
    return [CheckSpec(c.name, c.todo, c.points) for c in checks]


def _key(student: str) -> tuple[str, str]:
    return (student.casefold(), student)


def header(checks: list[CheckSpec]) -> list[list[str]]:
    """The CSV's first two rows: the titles, then each check's maximum points."""
    return [["student", *[c.name for c in checks], "total", "status", "problem"],
            ["max points", *[str(c.points) for c in checks], str(sum(c.points for c in checks)),
             "", ""]]


def csv_cells(entry: dict[str, Any], checks: list[CheckSpec]) -> list[str]:
    """A student's CSV cells after the name, from their results.json entry."""
    extra = entry.get("extra_data") or {}
    points = {row[0]: row[2] for row in extra.get("checks", [])}
    return [*[str(points.get(c.name, 0)) for c in checks], str(entry.get("score", 0)),
            str(extra.get("status", "")), str(formats.csv_safe(extra.get("problem", "")))]


@dataclass
class Gradebook:
    """The rows of a class: results.json entries by student, and CSV rows of students
    known only from an existing CSV (kept exactly as they were)."""

    checks: list[CheckSpec]
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    csv_rows: dict[str, list[str]] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    # ------------------------------------------------------------ reading
    def load_csv(self, path: Path) -> None:
        """Keep the rows of an existing CSV gradebook; GradebookError if its checks differ."""
        text = path.read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            return
        want = header(self.checks)
        if rows[:2] != want:
            raise GradebookError(
                f"{path} holds a gradebook of other checks (its first rows are {rows[:2][:1]}); "
                "grade into another file, or pass --fresh to start it anew")
        for row in rows[2:]:
            if row:
                self.csv_rows[formats.csv_unsafe(row[0])] = row[1:]

    def load_json(self, path: Path) -> None:
        """Keep the entries of an existing class results.json; GradebookError if it is not one."""
        try:
            data = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise GradebookError(f"{path} is not a results.json ({exc}); pass --fresh to "
                                 "start it anew") from None
        if not isinstance(data, dict) or ("tests" in data and "score" in data) or not all(
                isinstance(v, dict) for v in data.values()):
            raise GradebookError(f"{path} is not a class results.json (an object keyed by "
                                 "student); grade into another file, or pass --fresh")
        names = {c.name for c in self.checks}
        for student, entry in data.items():
            got = {row[0] for row in (entry.get("extra_data") or {}).get("checks", [])}
            if got and got != names:
                raise GradebookError(f"{path} holds results of other checks ({student}); grade "
                                     "into another file, or pass --fresh")
            self.entries[student] = entry

    # ------------------------------------------------------------ updating
    def known(self) -> set[str]:
        return set(self.entries) | set(self.csv_rows)

    def update(self, result: SubmissionResult, visibility: str = "visible") -> None:
        """Put ``result`` in, replacing that student's earlier row if there is one."""
        self.add_entry(result.student, formats.class_entry(result, visibility))

    def add_entry(self, student: str, entry: dict[str, Any]) -> None:
        if student in self.known():
            if student not in self.replaced:
                self.replaced.append(student)
        elif student not in self.added:
            self.added.append(student)
        self.entries[student] = entry
        self.csv_rows.pop(student, None)

    # ------------------------------------------------------------ writing
    def students(self) -> list[str]:
        return sorted(self.known(), key=_key)

    def csv_text(self, excel: bool = False) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows(header(self.checks))
        for student in self.students():
            cells = (csv_cells(self.entries[student], self.checks) if student in self.entries
                     else self.csv_rows[student])
            writer.writerow([formats.csv_safe(student), *cells])
        return (BOM if excel else "") + out.getvalue()

    def json_text(self) -> str:
        ordered = {s: self.entries[s] for s in self.students() if s in self.entries}
        return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"

    def write(self, csv_path: Path | None, json_path: Path | None, excel: bool = False) -> None:
        if csv_path:
            write_atomically(Path(csv_path), self.csv_text(excel))
        if json_path:
            write_atomically(Path(json_path), self.json_text())

    def summary(self, graded: int) -> str:
        """What the run did to the gradebook, for the terminal."""
        kept = len(self.known()) - len(self.added) - len(self.replaced)

        def names(xs: list[str]) -> str:
            shown = ", ".join(sorted(xs, key=_key)[:8])
            return f" ({shown}{', ...' if len(xs) > 8 else ''})" if xs else ""

        return (f"gradebook: {len(self.added)} row{'s' * (len(self.added) != 1)} added"
                f"{names(self.added)}, {len(self.replaced)} replaced{names(self.replaced)}, "
                f"{kept} kept")


def open_gradebook(checks: list[Check], csv_path: Path | None, json_path: Path | None,
                   fresh: bool = False) -> Gradebook:
    """The gradebook to grade into: the existing files' rows unless ``fresh``."""
    book = Gradebook(specs(checks))
    if fresh:
        return book
    if csv_path and Path(csv_path).exists() and Path(csv_path).stat().st_size:
        book.load_csv(Path(csv_path))
    if json_path and Path(json_path).exists() and Path(json_path).stat().st_size:
        book.load_json(Path(json_path))
    return book


def checks_of(entry: dict[str, Any]) -> list[CheckSpec]:
    """The check list recorded in a class results.json entry."""
    rows = (entry.get("extra_data") or {}).get("checks")
    if not rows:
        raise GradebookError("an entry without extra_data.checks: not written by "
                             "`autograder grade --json`")
    return [CheckSpec(name, int(todo), int(maximum)) for name, todo, _, maximum, _ in rows]


def merge_parts(paths: list[Path]) -> Gradebook:
    """One gradebook from the results.json of each shard; GradebookError when a student
    is in two parts or the parts graded different checks."""
    book: Gradebook | None = None
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise GradebookError(f"cannot read {path}: {exc}") from None
        if not isinstance(data, dict) or ("tests" in data and "score" in data):
            raise GradebookError(f"{path} is not a class results.json")
        for student, entry in data.items():
            checks = checks_of(entry)
            if book is None:
                book = Gradebook(checks)
            elif [(c.name, c.points) for c in checks] != [(c.name, c.points) for c in book.checks]:
                raise GradebookError(f"{path} graded other checks than {next(iter(seen.values()))}")
            if student in seen:
                raise GradebookError(f"{student} is in both {seen[student]} and {path}; were the "
                                     "shards given the same --shard twice?")
            seen[student] = Path(path)
            book.add_entry(student, entry)
    if book is None:
        raise GradebookError("the parts hold no student")
    return book
