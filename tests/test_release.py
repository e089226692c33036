"""``autograder release``: the class edition has no solutions, and every check works in it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from autograder import REPO_ROOT
from autograder.edition import EditionError, parse_lessons, release, solution_leaks
from support import LESSONS


def test_lesson_ranges():
    assert parse_lessons("01-03,7") == {"01", "02", "03", "07"}
    with pytest.raises(EditionError):
        parse_lessons("5-3")


def test_the_edition_has_no_solutions_and_its_checks_pass_on_the_reference(tmp_path):
    edition = tmp_path / "edition"
    report = release(edition, {"01", "02", "03", "04", "05"})
    assert report.lessons == ["01", "02", "03", "04", "05"]
    for absent in ("solutions", "tests", ".autograder-build.json"):
        assert not (edition / absent).exists()
    assert not list(edition.rglob("*.bak")) and not list(edition.rglob("__pycache__"))
    assert solution_leaks(edition) == []
    assert not list(edition.glob("lessons/*/*.ipynb.bak"))
    assert len(list(edition.glob("lessons/*/*.ipynb"))) == 5  # the student notebooks
    # the reference code in place of the skeletons: every check passes, without solutions/
    for info in LESSONS[:5]:
        shutil.copy(info.solution, edition / "lessons" / info.number / info.solution.name)
    env = {**os.environ, "PYTHONPATH": str(edition)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "lessons", "-p", "no:randomly"],
                          cwd=edition, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert f"{edition}/autograder" in subprocess.run(
        [sys.executable, "-c", "import autograder; print(autograder.__file__)"], cwd=edition,
        env=env, capture_output=True, text=True).stdout  # the edition's own harness ran


def test_a_planted_solution_is_found(tmp_path):
    edition = tmp_path / "edition"
    release(edition, {"03"})
    readme = edition / "lessons" / "03" / "README.md"
    solution = (REPO_ROOT / "solutions" / "03" / "embedding.py").read_text()
    region = solution[solution.index("    onehot = F.one_hot"):solution.index(
        "    ### END SOLUTION", solution.index("    onehot = F.one_hot"))]
    readme.write_text(readme.read_text() + "\n```python\n" + region + "```\n")
    assert any("solutions/03/embedding.py TODO 3" in leak for leak in solution_leaks(edition))
    (edition / "lessons" / "03" / "notes.py").write_text("### BEGIN SOLUTION\n")
    assert any("### BEGIN SOLUTION" in leak for leak in solution_leaks(edition))


def test_releasing_a_lesson_whose_answer_a_later_one_needs_says_so(tmp_path):
    report = release(tmp_path / "later", {"03"})
    assert "autograder/given/lesson02_dataset.py" in report.given and report.notes == []
    report = release(tmp_path / "both", {"02", "03"})
    assert any("build_dataset of lesson 02" in note for note in report.notes)
    with pytest.raises(EditionError, match="not empty"):
        release(tmp_path / "both", {"03"})
