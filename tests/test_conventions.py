"""The repository's house rules that no other test holds: documents the code cites are
in the repository, no comment cites an issue number, names say one thing each."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from autograder import REPO_ROOT


def _tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", *patterns], cwd=REPO_ROOT, capture_output=True,
                         text=True, check=True).stdout
    return [REPO_ROOT / line for line in out.splitlines() if (REPO_ROOT / line).is_file()]


def test_cited_documents_are_in_the_repository():
    cited = set()
    for path in _tracked("autograder/*.py"):
        text = path.read_text(encoding="utf-8")
        cited |= {name for name in re.findall(r"\b((?:[\w-]+/)*[A-Z]+\.md)\b", text)
                  if "/NN/" not in name}  # lessons/NN/README.md names a pattern
    assert cited, "the harness cites its design document"
    for name in sorted(cited):
        assert any(p.as_posix().endswith(name) for p in _tracked("*.md")), name


def test_no_comment_cites_an_issue_number():
    pattern = re.compile(r"\b[Ii]ssues? #?\d+|\([Ii]ssue [\"']")
    found = [f"{p.relative_to(REPO_ROOT)}:{i}: {line.strip()}"
             for p in _tracked("*.py", "*.md", ".ci/*") for i, line in
             enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert found == []


def test_module_names_say_one_thing():
    """No two modules of the harness share a file name, and none is a plural beside its
    singular (report.py beside reports.py)."""
    stems: dict[str, list[str]] = {}
    for path in (REPO_ROOT / "autograder").rglob("*.py"):
        if path.name != "__init__.py" and "given" not in path.parts:
            stems.setdefault(path.stem, []).append(str(path.relative_to(REPO_ROOT)))
    assert {s: p for s, p in stems.items() if len(p) > 1} == {}
    assert sorted(s for s in stems if s.endswith("s") and s[:-1] in stems) == []


def _full_marks_line(info) -> str:
    """The summary line a finished lesson prints (every check passed)."""
    from autograder.runner import CheckResult, collect
    from autograder.summary import summarize

    results = [CheckResult(c.name, c.todo, c.points, c.points, "passed")
               for c in collect(info.checks)]
    return summarize(info, results).line()


def test_each_lesson_readme_shows_its_points_line():
    """The summary a lesson README shows for a finished lesson is the one pytest prints
    (its points and checks as the check module has them)."""
    from autograder.lessons import all_lessons

    for info in all_lessons():
        readme = (info.dir / "README.md").read_text(encoding="utf-8")
        shown = re.findall(rf"^lesson {info.number}: \d+/\d+ points.*$", readme, re.M)
        assert shown == [_full_marks_line(info)], (info.number, shown)


def test_the_root_readme_lists_every_lesson():
    """One row per lesson folder, in order, linking its README and naming its module."""
    from autograder.lessons import all_lessons

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| \[(\d\d)\]\(lessons/(\d\d)/README\.md\) \| `(\w+)\.py` \|", readme,
                      re.M)
    assert rows == [(i.number, i.number, i.module) for i in all_lessons()]


def test_every_harness_error_has_one_base():
    """Each exception class the harness defines derives from AutograderError."""
    import ast

    bases: dict[str, set[str]] = {}  # class -> the names of its bases
    where: dict[str, str] = {}
    for path in (REPO_ROOT / "autograder").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                where[node.name] = str(path.relative_to(REPO_ROOT))
    ours = {"AutograderError"}
    while True:
        more = {name for name, of in bases.items() if of & ours} - ours
        if not more:
            break
        ours |= more
    errors = {name for name, of in bases.items()
              if any(b.endswith(("Error", "Exception")) for b in of)}
    assert sorted(f"{where[n]}: {n}" for n in errors - ours) == []
