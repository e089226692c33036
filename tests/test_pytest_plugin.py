"""The student's experience: ``pytest lessons/NN`` with points, --impl, -k todoK, --device."""

from __future__ import annotations

import subprocess
import sys

from autograder import REPO_ROOT


def pytest_run(*args: str, cwd=REPO_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:randomly", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=600)


def test_skeleton_fails_with_the_todo_message_and_zero_points():
    proc = pytest_run("lessons/03")
    assert proc.returncode == 1
    assert "lesson 03: 0/10 points (0/6 checks passed); next: TODO 1" in proc.stdout
    assert "NotImplementedError: lesson 03, TODO 2: look up the rows of C" in proc.stdout


def test_solutions_pass_with_full_points():
    proc = pytest_run("lessons/03", "--impl", "solutions")
    assert proc.returncode == 0, proc.stdout
    assert "lesson 03: 10/10 points (6/6 checks passed)" in proc.stdout


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
    assert "lesson 03: 2/10 points (2/6 checks passed); next: TODO 2" in proc.stdout
    proc = pytest_run(str(REPO_ROOT / "lessons" / "03"), "--impl", str(work), "-k", "todo1")
    assert proc.returncode == 0, proc.stdout
    assert "2 passed, 4 deselected" in proc.stdout


def test_missing_impl_and_unavailable_cuda_are_explained(tmp_path):
    proc = pytest_run("lessons/03", "--impl", str(tmp_path / "nope.py"), "-k", "embed_small")
    assert "does not exist" in proc.stdout
    proc = pytest_run("lessons/03", "--impl", "solutions", "--device", "cuda", "-rs")
    import torch

    if not torch.cuda.is_available():
        assert "no CUDA device" in proc.stdout and "6 skipped" in proc.stdout


def test_a_broken_module_is_an_error_in_every_check(tmp_path):
    (tmp_path / "embedding.py").write_text("def embed(:\n")
    proc = pytest_run("lessons/03", "--impl", str(tmp_path / "embedding.py"))
    assert "could not be imported" in proc.stdout and "0/10 points" in proc.stdout
