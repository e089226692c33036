"""One summary and one reading of the TODOs, wherever a student or instructor reads them.

pytest, ``autograder progress``, a notebook's summary cell and the grader print the same
line for the same results (a passing, a failing, a raising and a not-run check), and a
TODO's text is the same in the skeleton, its NotImplementedError, a check's default hint
and the ``next:`` step.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys

import pytest

from autograder import REPO_ROOT, markers
from autograder.lessons import all_lessons, get_lesson
from autograder.runner import Check, CheckResult, _hint
from autograder.summary import next_step, summarize

L03 = get_lesson("03")

# init_embedding wrong (a failing check), embed right (passes on small inputs; its
# names.txt check is not run without the data), embed_onehot raising
MIXED = L03.solution.read_text().replace(
    "return torch.randn((vocab_size, n_embd), generator=generator)",
    "return torch.zeros((vocab_size, n_embd))").replace(
    "onehot = F.one_hot(X, num_classes=C.shape[0]).to(C.dtype)",
    "raise NotImplementedError('not yet')")


def _no_data(tmp_path) -> dict[str, str]:
    empty = tmp_path / "no-data"
    empty.mkdir()
    return {**os.environ, "COURSE_DATA_DIR": str(empty), "COURSE_CACHE_DIR": str(empty),
            "COURSE_OFFLINE": "1"}


def _lesson_line(text: str) -> str:
    """The summary line of lesson 03 in a command's output, the implementation's name
    (pytest's ``--impl``, the grader's student) left out."""
    lines = [line for line in text.splitlines() if line.startswith("lesson 03")
             and "points" in line and "TODO 1:" not in line[:20]]
    assert len(lines) == 1, text
    return re.sub(r"^lesson 03 \([^)]*\):", "lesson 03:", lines[0])


# a notebook's check cells, one per TODO, then its summary cell; the first line printed
# is the statuses its checks ended with
NOTEBOOK = """
import contextlib, io, sys
from autograder.notebooks.cells import LessonChecks
from autograder.student_side import load_module
checks = LessonChecks("03", vars(load_module(sys.argv[1], "embedding")))
with contextlib.redirect_stdout(io.StringIO()):
    for todo in (1, 2, 3):
        try:
            checks.run(todo)
        except Exception:
            pass
print(",".join(sorted({r.status.value for r in checks.results.values()})))
checks.summary()
"""


@pytest.mark.parametrize("data", ["present", "missing"])
def test_four_uses_print_one_line(data, tmp_path):
    """With the data missing, the checks that need it are not run; the grader refuses to
    grade without the data (so it never holds a not-run check of that kind)."""
    lessons = tmp_path / "lessons"
    shutil.copytree(REPO_ROOT / "lessons" / "03", lessons / "03")
    module = lessons / "03" / "embedding.py"
    module.write_text(MIXED)
    env = _no_data(tmp_path) if data == "missing" else dict(os.environ)
    autograder = [sys.executable, "-m", "autograder.cli"]
    run = dict(capture_output=True, text=True, env=env, timeout=600)
    by_pytest = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:randomly",
                                "lessons/03", "--impl", str(module)], cwd=REPO_ROOT, **run)
    by_progress = subprocess.run([*autograder, "progress", "03", "--dir", str(lessons)],
                                 cwd=REPO_ROOT, **run)
    by_grader = subprocess.run([*autograder, "grade", "--lesson", "03", str(module)],
                               cwd=tmp_path, **run)
    by_notebook = subprocess.run([sys.executable, "-c", NOTEBOOK, str(module)], cwd=tmp_path,
                                 **run)

    line = _lesson_line(by_pytest.stdout)
    assert "next: TODO 1" in line, line
    statuses = set(by_notebook.stdout.splitlines()[0].split(","))
    wanted = {"passed", "failed", "error"}
    assert statuses == (wanted | {"not run"} if data == "missing" else wanted), statuses
    assert ("not run" in line) == (data == "missing"), line
    assert _lesson_line(by_progress.stdout) == line, by_progress.stdout
    assert _lesson_line(by_notebook.stdout) == line, by_notebook.stdout + by_notebook.stderr
    if data == "missing":
        assert by_grader.returncode == 2 and "not grading" in by_grader.stderr
    else:
        assert _lesson_line(by_grader.stdout) == line, by_grader.stdout + by_grader.stderr


def test_not_run_checks_count_for_nothing():
    results = [CheckResult("a", 1, 2, 2, "passed"), CheckResult("b", 1, 3, 0, "not run"),
               CheckResult("c", 2, 1, 0, "failed")]
    summary = summarize(L03, results)
    assert (summary.earned, summary.possible, summary.not_run_points) == (2, 3, 3)
    assert summary.line().startswith("lesson 03: 2/3 points (1/2 checks passed); "
                                     "1 check (3 points) not run; next: TODO 2")


@pytest.mark.parametrize("info", all_lessons(), ids=lambda info: info.number)
def test_todo_texts_agree_everywhere(info):
    """The skeleton's comment, the NotImplementedError, a check's default hint and the
    ``next:`` step quote each TODO whole (continuation lines included)."""
    solution = markers.todo_texts(info.solution.read_text(encoding="utf-8"))
    skeleton = info.skeleton.read_text(encoding="utf-8")
    assert info.todos() == solution
    raised = {}
    for node in ast.walk(ast.parse(skeleton)):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                and getattr(node.exc.func, "id", "") == "NotImplementedError":
            m = re.fullmatch(rf"lesson {info.number}, TODO (\d+): (.*)", node.exc.args[0].value)
            raised.setdefault(int(m.group(1)), m.group(2))
    for todo, text in solution.items():
        assert raised[todo] == text
        check = Check("test_x", lambda: None, _Info(todo), ())
        assert _hint(check, info.todos()) == f"TODO {todo} asks: {text}"
        failing = [CheckResult("test_x", todo, 1, 0, "failed")]
        assert next_step(info, failing) == f"next: TODO {todo}: {text}"


class _Info:
    """A check without a hint of its own."""

    def __init__(self, todo: int):
        self.todo, self.hint, self.points = todo, "", 1
