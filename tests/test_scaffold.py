"""``autograder new NN module``: a new lesson starts as files that already pass the
project's tests, so its author replaces the example instead of copying another lesson."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from autograder import REPO_ROOT
from autograder.scaffold import ScaffoldError, create

COPIED = ("autograder", "lessons", "solutions", "tests", "data", ".nbgrader", "README.md",
          "pyproject.toml", ".autograder-build.json")


@pytest.fixture
def course(tmp_path):
    """A copy of the course to add a lesson to."""
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.pyc", "*.bak", "gradebook*", "release", "autograded",
                "feedback", "submitted", "*.db"))
        elif source.is_file():
            shutil.copy2(source, tmp_path / name)
    return tmp_path


def _run(course, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=course, capture_output=True, text=True,
                          timeout=900)


def test_a_new_lesson_passes_the_project_tests(course):
    made = _run(course, "-m", "autograder.cli", "new", "11", "batchnorm", "--title",
                "BatchNorm")
    assert made.returncode == 0, made.stderr
    assert (course / "solutions/11/batchnorm.py").is_file()
    assert "| [11](lessons/11/README.md) | `batchnorm.py` |" in (course / "README.md").read_text()
    built = _run(course, "-m", "autograder.cli", "build")
    assert built.returncode == 0, built.stdout + built.stderr
    assert (course / "lessons/11/batchnorm.py").is_file()

    skeleton = _run(course, "-m", "pytest", "-p", "no:randomly", "lessons/11")
    assert skeleton.returncode == 1
    assert ("lesson 11: 0/2 points (0/2 checks passed); next: TODO 1: return x with every "
            "entry multiplied by 2") in skeleton.stdout
    solution = _run(course, "-m", "pytest", "-p", "no:randomly", "lessons/11",
                    "--impl", "solutions")
    assert solution.returncode == 0 and "2/2 points" in solution.stdout, solution.stdout
    project = _run(course, "-m", "pytest", "-v", "-p", "no:randomly",
                   "tests/test_lessons.py", "tests/test_mutants.py", "tests/test_check_kinds.py",
                   "tests/test_conventions.py", "tests/test_summary.py", "tests/test_build.py",
                   "-k", "11 or five_mutants or readme or todo_texts or up_to_date")
    assert project.returncode == 0, project.stdout[-3000:]
    ran = [line for line in project.stdout.splitlines() if line.endswith("PASSED")
           or " PASSED " in line]
    assert any("[11]" in line for line in ran) and any("[11-" in line for line in ran)
    assert any("five_mutants" in line for line in ran)


def test_nothing_is_overwritten_or_half_written(tmp_path):
    (tmp_path / "README.md").write_text("# course\n\n| [01](lessons/01/README.md) | `a.py` |\n")
    create("02", "demo", root=tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(ScaffoldError, match="exists already"):
        create("02", "other", root=tmp_path)
    for number, module in (("2", "x"), ("03", "Bad-Name"), ("03", "test_x")):
        with pytest.raises(ScaffoldError):
            create(number, module, root=tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    rows = [line for line in (tmp_path / "README.md").read_text().splitlines()
            if line.startswith("| [")]
    assert [row[:6] for row in rows] == ["| [01]", "| [02]"]
