"""The student's experience: ``pytest lessons/NN`` with points, --impl, -k todoK, --device."""

from __future__ import annotations

import os
import subprocess
import sys

from autograder import REPO_ROOT


def pytest_run(*args: str, cwd=REPO_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:randomly", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=600)


def test_skeleton_fails_with_the_todo_message_and_zero_points():
    proc = pytest_run("lessons/03")
    assert proc.returncode == 1
    assert "lesson 03: 0/14 points (0/10 checks passed); next: TODO 1" in proc.stdout
    assert "NotImplementedError: lesson 03, TODO 2: look up the rows of C" in proc.stdout


def test_solutions_pass_with_full_points():
    proc = pytest_run("lessons/03", "--impl", "solutions")
    assert proc.returncode == 0, proc.stdout
    assert "lesson 03 (--impl solutions: " in proc.stdout  # names the implementation
    assert "embedding.py): 14/14 points (10/10 checks passed)" in proc.stdout


def test_impl_path_to_a_file_or_folder_and_todo_selection(tmp_path):
    work = tmp_path / "mine"
    work.mkdir()
    source = (REPO_ROOT / "lessons" / "03" / "embedding.py").read_text()
    solved = (REPO_ROOT / "solutions" / "03" / "embedding.py").read_text()
    # TODO 1 done (from the reference), TODO 2 and 3 still open
    start = solved.index("def init_embedding")
    end = solved.index("def embed(")
    head = source[: source.index("def init_embedding")] + solved[start:end]
    (work / "embedding.py").write_text(head + source[source.index("def embed("):])
    proc = pytest_run("lessons/03", "--impl", str(work / "embedding.py"))
    assert "embedding.py): 2/14 points (2/10 checks passed); next: TODO 2" in proc.stdout
    proc = pytest_run(str(REPO_ROOT / "lessons" / "03"), "--impl", str(work), "-k", "todo1")
    assert proc.returncode == 0, proc.stdout
    assert "2 passed, 8 deselected" in proc.stdout
    assert "selected checks: 2/2 points of the lesson's 14 (2/2 checks passed)" in proc.stdout


def test_missing_impl_and_unavailable_cuda_are_explained(tmp_path):
    proc = pytest_run("lessons/03", "--impl", str(tmp_path / "nope.py"), "-k", "embed_small")
    assert "does not exist" in proc.stdout
    proc = pytest_run("lessons/03", "--impl", "solutions", "--device", "cuda", "-rs")
    import torch

    if not torch.cuda.is_available():
        assert "no CUDA device" in proc.stdout and "10 skipped" in proc.stdout
        assert "lesson 03: skipped: no CUDA device" in proc.stdout
        assert "0/14" not in proc.stdout


def test_a_broken_module_is_reported_once_with_its_line(tmp_path):
    (tmp_path / "embedding.py").write_text("import torch\n\ndef embed(:\n")
    proc = pytest_run("lessons/03", "--impl", str(tmp_path / "embedding.py"))
    assert proc.returncode == 1
    assert proc.stdout.count("SyntaxError at line 3: invalid syntax") == 1, proc.stdout
    assert "fix embedding.py first" in proc.stdout and "next: TODO" not in proc.stdout
    assert "autograder/" not in proc.stdout


def test_missing_data_is_not_counted_against_the_student(tmp_path):
    env = {**os.environ, "COURSE_DATA_DIR": str(tmp_path), "COURSE_OFFLINE": "1",
           "COURSE_CACHE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "lessons/03", "--impl", "solutions"],
                          capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout  # nothing failed: the data checks were not run
    assert "2 checks (4 points) not run" in proc.stdout
    assert proc.stdout.count("is not available: downloads are switched off") == 1
    assert "autograder data fetch" in proc.stdout


def test_running_the_module_file_says_which_command_to_use():
    proc = pytest_run("lessons/03/embedding.py")
    assert "Run:  pytest lessons/03" in proc.stdout
    proc = subprocess.run([sys.executable, "lessons/03/embedding.py"], capture_output=True,
                          text=True, cwd=REPO_ROOT, timeout=600)
    assert "pytest lessons/03" in proc.stdout


def test_student_exceptions_show_no_harness_frames(tmp_path):
    solved = (REPO_ROOT / "solutions" / "03" / "embedding.py").read_text()
    (tmp_path / "embedding.py").write_text(solved.replace("return C[X]\n", "return C[:, X]\n"))
    proc = pytest_run("lessons/03", "--impl", str(tmp_path / "embedding.py"), "-k", "todo2")
    assert "raised an error" in proc.stdout and "IndexError" in proc.stdout
    assert "at embedding.py, line" in proc.stdout and "hint: " in proc.stdout
    assert "autograder/" not in proc.stdout and "Traceback" not in proc.stdout
