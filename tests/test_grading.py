"""The instructor's workflow: grade a folder into a CSV and results.json, Gradescope, progress."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import REPO_ROOT
from autograder.grading.grade import Grader, GradeOptions, Sandbox
from autograder.grading.intake import find_submissions
from autograder.grading.submission import read_submission
from autograder.lessons import get_lesson
from autograder.runner import collect

LESSON = get_lesson("03")
SOLUTION = LESSON.solution.read_text()
SKELETON = LESSON.skeleton.read_text()
AUTOGRADER = [sys.executable, "-m", "autograder.cli"]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*AUTOGRADER, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


@pytest.fixture
def classroom(tmp_path) -> Path:
    """A folder of submissions in every accepted form."""
    subs = tmp_path / "submissions"
    subs.mkdir()
    (subs / "alice.py").write_text(SOLUTION)
    (subs / "bob").mkdir()
    (subs / "bob" / "embedding.py").write_text(SKELETON)
    (subs / "carol.py").write_text("def init_embedding(:\n")
    with zipfile.ZipFile(subs / "dave.zip", "w") as zf:
        zf.writestr("lesson03/embedding.py", SOLUTION)
        zf.writestr("lesson03/notes.txt", "hello")
    return subs


def test_grade_folder_into_csv_and_results_json(classroom, tmp_path):
    out_csv, out_json = tmp_path / "grades.csv", tmp_path / "results.json"
    # a submission that tries to write the gradebook and the results itself
    (classroom / "mallory.py").write_text(SKELETON + f'''
for path in [{str(out_csv)!r}, {str(out_json)!r}, "results.json", "grades.csv",
             "/autograder/results/results.json"]:
    try:
        with open(path, "w") as f:
            f.write("mallory,10,10,10,10,10,10,100\\n")
    except OSError:
        pass
''')
    proc = run_cli("grade", "--lesson", "03", str(classroom), "--csv", str(out_csv),
                   "--json", str(out_json), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "isolation: full" in proc.stdout
    rows = list(csv.DictReader(out_csv.open()))
    checks = collect(LESSON.checks)
    assert list(rows[0]) == ["student", *[c.name for c in checks], "total", "status", "problem"]
    top = rows.pop(0)  # the maximum points, then one row per student
    assert top["student"] == "max points" and top["total"] == "14"
    assert [int(top[c.name]) for c in checks] == [c.points for c in checks]
    totals = {row["student"]: int(row["total"]) for row in rows}
    assert totals == {"alice": 14, "bob": 0, "carol": 0, "dave": 14, "mallory": 0}
    by_student = {row["student"]: row for row in rows}
    assert by_student["alice"]["status"] == "graded" and by_student["alice"]["problem"] == ""
    assert by_student["carol"]["status"] == "error"  # an error is not a wrong answer
    assert by_student["carol"]["problem"].startswith("SyntaxError at line 1")
    carol_line = next(line for line in proc.stdout.splitlines() if line.startswith("carol"))
    assert "SyntaxError at line 1" in carol_line  # the reason shows without -v
    assert "5 submissions" in proc.stdout
    results = json.loads(out_json.read_text())
    assert set(results) == set(totals)
    alice = results["alice"]
    assert alice["score"] == 14 and alice["execution_time"] >= 0 and "output" in alice
    assert {t["status"] for t in alice["tests"]} == {"passed"}
    for test in results["bob"]["tests"]:
        assert set(test) - {"tags"} == {"name", "score", "max_score", "status", "output",
                                        "visibility"}  # tags: checks resting on helpers
        assert test["status"] == "failed" and "NotImplementedError: lesson 03" in test["output"]
    assert "SyntaxError" in results["carol"]["tests"][0]["output"]
    assert "alice" in proc.stdout and "14/14" in proc.stdout  # the terminal table
    assert "[5/5]" in proc.stderr  # progress


def test_gradescope_entry_point(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "embedding.py").write_text(SOLUTION)
    results = tmp_path / "results" / "results.json"
    proc = run_cli("gradescope", "--lesson", "03", "--submission", str(submission),
                   "--results", str(results))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(results.read_text())
    assert data["score"] == 14 and len(data["tests"]) == len(collect(LESSON.checks))
    # an empty submission folder still produces a results.json, with zero and a reason
    shutil.rmtree(submission)
    submission.mkdir()
    proc = run_cli("gradescope", "--lesson", "03", "--submission", str(submission),
                   "--results", str(results))
    data = json.loads(results.read_text())
    assert data["score"] == 0 and "no embedding.py" in data["output"]


def _grade(paths, **options):
    opts = GradeOptions(**{"jobs": 2, "timeout": 5, "isolation": "full", **options})
    with Sandbox(opts) as sandbox:
        return Grader(LESSON, sandbox).grade_all(find_submissions(paths, LESSON.module))


def test_same_submission_same_result_and_order_independent(tmp_path):
    # set order leaks into the result: only a fixed hash seed makes this reproducible
    (tmp_path / "erin.py").write_text(SOLUTION + '''
def init_embedding(vocab_size, n_embd, generator):
    rows = list({"x", "y", "z", "w", "v", "u"})
    order = torch.tensor([float(ord(c)) for c in rows])
    return torch.randn((vocab_size, n_embd), generator=generator) + order[0] - ord("w")
''')
    first = _grade([tmp_path / "erin.py"] * 3)
    second = _grade([tmp_path / "erin.py"])
    key = [(r.name, r.status, r.points, r.message) for r in first[0].results]
    for result in first[1:] + second:
        assert [(r.name, r.status, r.points, r.message) for r in result.results] == key


def test_partial_results_survive_the_total_time_limit(tmp_path):
    (tmp_path / "slow.py").write_text(SOLUTION + '''
import time
_init = init_embedding
def init_embedding(vocab_size, n_embd, generator):
    time.sleep(1.5)
    return _init(vocab_size, n_embd, generator)
''')
    (result,) = _grade([tmp_path / "slow.py"], total_timeout=2.5, timeout=10)
    statuses = [r.status for r in result.results]
    assert statuses[0] == "passed"
    assert statuses[1] == "timeout"
    assert set(statuses[2:]) == {"not run"}
    assert "total time limit" in result.results[-1].message
    assert result.score == 1


SANDBOX_FACTS = '''
import os, socket, sys
def facts(solution, repo):
    out = {"uid": os.getuid(), "root": sorted(os.listdir("/")), "cwd": os.getcwd(),
           "cwd_files": sorted(os.listdir(".")), "user_site": sys.flags.no_user_site,
           "pythonpath": os.environ.get("PYTHONPATH"), "solution_visible": os.path.exists(solution),
           "repo_visible": os.path.exists(repo), "hostname": socket.gethostname()}
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=1)
        out["network"] = "open"
    except OSError as exc:
        out["network"] = str(exc)
    try:
        open("/etc/written-by-student", "w")
        out["root_writable"] = True
    except OSError:
        out["root_writable"] = False
    return out
'''

FACT_CHECKS = '''
from autograder.checking import check, expect

from autograder.contract import Contract

CONTRACT = Contract(functions={{"facts": "solution, repo"}})


@check(todo=1, points=1)
def test_facts(lesson):
    f = lesson.facts({solution!r}, {repo!r})
    expect(f["solution_visible"] is False and f["repo_visible"] is False, "hidden paths", got=f)
    expect(f["cwd"] == "/submission" and f["cwd_files"] == ["embedding.py"], "workdir", got=f)
    expect(not (set(f["root"]) - {{"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc",
                                  "root", "sbin", "submission", "tmp", "usr"}} - {python_tops!r}),
           "root listing", got=f["root"])
    expect("unreachable" in f["network"].lower(), "network", got=f["network"])
    expect(f["root_writable"] is False and f["user_site"] == 1 and f["pythonpath"] is None,
           "python isolation", got=f)
    expect(f["uid"] != 0 if {root} else True, "unprivileged uid", got=f["uid"])
'''


def _python_tops() -> set[str]:
    """Top-level folders the sandbox may show to make Python and the autograder importable."""
    return {Path(p).resolve().parts[1] for p in (REPO_ROOT, sys.prefix, sys.base_prefix)
            if len(Path(p).resolve().parts) > 1}


def test_the_sandbox_from_inside(tmp_path):
    """Hidden checks (--checks) look at the sandbox from the submission's side."""
    (tmp_path / "embedding.py").write_text(SANDBOX_FACTS)
    checks = tmp_path / "hidden" / "test_embedding.py"
    checks.parent.mkdir()
    checks.write_text(FACT_CHECKS.format(solution=str(LESSON.solution), repo=str(REPO_ROOT / "tests"),
                                         root=os.getuid() == 0, python_tops=_python_tops()))
    (result,) = _grade([tmp_path / "embedding.py"], checks=checks)
    assert result.results[0].passed, result.results[0].message


def test_submission_forms_and_names(tmp_path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "embedding.py").write_text("x = 1\n")
    (tmp_path / "ann" / "helper_notes.py").write_text("y = 2\n")
    (tmp_path / "ben").mkdir()
    (tmp_path / "ben" / "a.py").write_text("")
    (tmp_path / "ben" / "b.py").write_text("")
    (tmp_path / "cy").mkdir()
    (tmp_path / "cy" / "my_lesson.py").write_text("z = 3\n")
    (tmp_path / "dup").mkdir()
    (tmp_path / "dup" / "ann.py").write_text("")
    subs = {s.student: s for s in find_submissions(
        [tmp_path / "ann", tmp_path / "dup" / "ann.py"], "embedding")}
    assert subs["ann"].content == b"x = 1\n"  # the folder holds embedding.py: one submission
    assert subs["ann-2"].content == b""
    batch = {s.student: s for s in find_submissions([tmp_path], "embedding")}
    assert sorted(batch) == ["ann", "ben", "cy", "dup"]
    assert "several candidate modules" in batch["ben"].error
    assert batch["cy"].content == b"z = 3\n"  # the only module in the folder
    assert read_submission(tmp_path / "missing.py", "embedding").error == "no such file or folder"


def test_progress_reports_every_lesson_even_broken_ones(tmp_path):
    lessons = tmp_path / "lessons"
    shutil.copytree(REPO_ROOT / "lessons", lessons)
    (lessons / "03" / "embedding.py").write_text(SOLUTION)
    (lessons / "02" / "dataset.py").write_text("def build_dataset(:\n")
    proc = run_cli("progress", "--dir", str(lessons))
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[1].rstrip(":") if line.startswith("lesson ") else line.split()[0]
            .rstrip(":"): line for line in proc.stdout.splitlines() if line.strip()}
    assert "done" in rows["03"] and "14/14" in rows["03"]
    assert "SyntaxError" in rows["02"]
    assert "TODO 1" in rows["01"]
    assert "total" in rows


def test_a_closed_pipe_ends_the_table_quietly(classroom, tmp_path):
    proc = subprocess.run(" ".join([*AUTOGRADER, "grade", "--lesson", "03", str(classroom),
                                    "--quiet", "|", "head", "-n", "0"]),
                          shell=True, capture_output=True, text=True, timeout=600)
    assert proc.stdout == ""  # head left before the table was written
    assert "BrokenPipe" not in proc.stderr and "Traceback" not in proc.stderr
