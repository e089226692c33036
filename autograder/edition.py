"""``autograder release DIR``: the edition of the course for a private class.

It holds what students need (the chosen lessons, the harness, the data manifest, the
README) and nothing that gives answers away: no ``solutions/``, no mutant catalogue,
no project tests, no nbgrader source notebooks. Reference code that later lessons
build on (``autograder/given/``) ships only when a released lesson imports it; when
that exposes the answer of a released lesson's TODO, the release says so, so an
instructor can release lessons in order of their deadlines.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import AutograderError
from autograder import REPO_ROOT
from autograder.markers import BEGIN, END, given_names, parse_regions
from autograder.lessons import all_lessons, given_providers

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.bak", ".ipynb_checkpoints")


class EditionError(AutograderError, ValueError):
    """The release cannot be written (bad lesson range, target not empty, ...)."""


@dataclass
class EditionReport:
    lessons: list[str] = field(default_factory=list)
    given: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_lessons(text: str) -> set[str]:
    """``"01-05"``, ``"1,3,7-9"`` -> {"01", ...}."""
    wanted: set[str] = set()
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m:
            raise EditionError(f"not a lesson range: {part!r} (use e.g. 01-05 or 1,3,7-9)")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        if last < first:
            raise EditionError(f"empty lesson range: {part!r}")
        wanted |= {f"{n:02d}" for n in range(first, last + 1)}
    return wanted


def _imports_given(folder: Path) -> set[str]:
    found = set()
    for path in folder.glob("*.py"):
        found |= set(re.findall(r"autograder\.given(?:\.|\s+import\s+)(\w+)",
                                path.read_text(encoding="utf-8")))
    return found


def release(target: Path, lessons: set[str] | None = None, root: Path = REPO_ROOT
            ) -> EditionReport:
    """Write the edition into ``target`` (which must not exist or be empty)."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise EditionError(f"{target} is not empty")
    infos = all_lessons(root / "lessons")
    chosen = [i for i in infos if lessons is None or i.number in lessons]
    if lessons is not None and len(chosen) != len(lessons):
        missing = sorted(lessons - {i.number for i in infos})
        raise EditionError(f"no such lessons: {', '.join(missing)}")
    report = EditionReport(lessons=[i.number for i in chosen])
    target.mkdir(parents=True, exist_ok=True)
    for info in chosen:
        shutil.copytree(info.dir, target / "lessons" / info.number, ignore=IGNORED)
    for extra in ("lessons/conftest.py", "data/manifest.json", "pyproject.toml", ".gitignore"):
        if (root / extra).is_file():
            (target / extra).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / extra, target / extra)
    shutil.copytree(root / "autograder", target / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "given"))
    (target / "autograder" / "given").mkdir()
    shutil.copy2(root / "autograder" / "given" / "__init__.py",
                 target / "autograder" / "given" / "__init__.py")
    needed: set[str] = set()
    for info in chosen:
        needed |= _imports_given(info.dir)
    released = set(report.lessons)
    providers = given_providers(root / "autograder")
    for name in sorted(needed):
        source = root / "autograder" / "given" / f"{name}.py"
        if not source.is_file():
            raise EditionError(f"a released lesson imports autograder.given.{name}, which "
                               "`autograder build` has not written")
        shutil.copy2(source, target / "autograder" / "given" / source.name)
        report.given.append(f"autograder/given/{source.name}")
        lesson, module = providers.get(name, ("", ""))
        if lesson in released:
            solution = root / "solutions" / lesson / f"{module}.py"
            names = given_names(solution.read_text(encoding="utf-8"), str(solution)) \
                if solution.is_file() else ()
            report.notes.append(
                f"autograder/given/{source.name} holds the reference {', '.join(names)} of "
                f"lesson {lesson}, which this edition also releases: a later lesson builds "
                f"on it. To keep that answer private until lesson {lesson}'s deadline, "
                "release the lessons in steps.")
    readme = (root / "README.md").read_text(encoding="utf-8")
    note = ("> This is a class edition of the course: the lessons "
            f"{', '.join(report.lessons)} without their reference solutions. "
            "`--impl solutions` is not available here.\n\n")
    (target / "README.md").write_text(note + readme, encoding="utf-8")
    return report


def _significant(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def solution_regions(root: Path = REPO_ROOT) -> list[tuple[str, list[str]]]:
    """(where, significant code lines) of every solution region whose function is not
    given to later lessons on purpose."""
    found = []
    for solution in sorted((root / "solutions").glob("[0-9][0-9]/*.py")):
        source = solution.read_text(encoding="utf-8")
        lines = source.splitlines()
        given = set(given_names(source, str(solution)))
        for region in parse_regions(source, str(solution)):
            if _function_at(source, region.begin) in given:
                continue
            code = _significant(lines[region.begin + 1:region.end])
            if code:
                found.append((f"{solution.relative_to(root)} TODO {region.todo}", code))
    return found


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def solution_leaks(edition: Path, root: Path = REPO_ROOT) -> list[str]:
    """Where the edition shows a solution: a marker anywhere, or a solution region's whole
    code in a student file (a skeleton, notebook, README or given module). The check
    modules hold small trusted computations of their own, which may repeat a one- or
    two-line answer; a longer region's code must not appear there either."""
    regions = solution_regions(root)
    leaks = []
    for path in sorted(edition.rglob("*")):
        if not path.is_file() or path.suffix not in (".py", ".ipynb", ".md", ".txt"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(edition)
        in_harness = rel.parts[0] == "autograder" and rel.parts[1:2] != ("given",)
        if not in_harness:
            leaks += [f"{rel}: {marker}" for marker in (BEGIN, END) if marker in text]
        if in_harness:
            continue
        if path.suffix == ".ipynb":
            import json

            cells = json.loads(text).get("cells", [])
            text = "\n".join("".join(c.get("source", "")) for c in cells)
        lines = _significant(text.splitlines())
        checks = path.name.startswith("test_")
        for where, code in regions:
            if checks and len(code) < 3:
                continue
            if (len(code) >= 2 or len(code[0]) >= 25) and _contains(lines, code):
                leaks.append(f"{rel}: the code of {where}")
    return leaks


def _function_at(source: str, line_index: int) -> str:
    import ast

    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.lineno <= line_index + 1 <= node.end_lineno:
            return node.name
    return ""


def main(args: argparse.Namespace) -> int:
    try:
        report = release(Path(args.dir), parse_lessons(args.lessons) if args.lessons else None)
    except EditionError as exc:
        print(f"autograder release: {exc}", file=sys.stderr)
        return 2
    leaks = solution_leaks(Path(args.dir))
    if leaks:
        print("autograder release: the edition shows solutions:", *leaks, sep="\n  ",
              file=sys.stderr)
        return 1
    print(f"wrote {args.dir}: lessons {', '.join(report.lessons)}"
          + (f"; given: {', '.join(report.given)}" if report.given else ""))
    for note in report.notes:
        print(f"note: {note}")
    return 0


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("release", help="write the edition for a private class (no solutions)")
    p.add_argument("dir", help="an empty or new folder")
    p.add_argument("--lessons", help="which lessons, e.g. 01-05 or 1,3,7-9 (default: all)")
    p.set_defaults(func=main)
