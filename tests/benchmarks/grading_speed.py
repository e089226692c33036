"""Benchmark: grading 100 copies of a correct lesson-03 submission, as modules and as
notebooks.

Prints the total and per-submission time at --jobs 1 and --jobs 2 (zygote start-up
included, reported apart), and the overhead per submission over running the same
checks in-process on the same code; then the same for notebook submissions (the
lesson's source notebook, whose functions are taken from its code cells). Run from the
repository root:

    COURSE_DATA_DIR=../shared/data python tests/benchmarks/grading_speed.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import torch

from autograder.grading.grade import Grader, GradeOptions, Sandbox
from autograder.grading.intake import find_submissions
from autograder.impl import LocalImpl
from autograder.lessons import get_lesson
from autograder.runner import FixtureCache, collect, run_checks


def main(n: int = 100) -> None:
    torch.set_num_threads(1)
    lesson = get_lesson("03")
    checks = collect(lesson.checks)
    fixtures = FixtureCache()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        source = lesson.solution.read_text()
        for i in range(n):
            (folder / f"student{i:03d}.py").write_text(source)
        paths = sorted(folder.glob("*.py"))

        # warm the grader-side caches (names.txt, the dataset) once, outside every timing
        run_checks(checks, LocalImpl(paths[0], lesson.module), fixtures)

        start = time.perf_counter()
        for path in paths:
            impl = LocalImpl(path, lesson.module)
            results = run_checks(checks, impl, fixtures)
            impl.close()
            assert all(r.passed for r in results)
        in_process = (time.perf_counter() - start) / n
        print(f"in-process checks (no isolation):  {in_process * 1000:7.1f} ms per submission")

        notebooks = Path(tmp) / "notebooks"
        notebooks.mkdir()
        notebook = lesson.solution.with_suffix(".ipynb").read_bytes()
        for i in range(n):
            (notebooks / f"student{i:03d}.ipynb").write_bytes(notebook)
        for kind, subs in (("module", paths), ("notebook", sorted(notebooks.glob("*.ipynb")))):
            print(f"{kind} submissions:")
            _sandboxed(lesson, checks, fixtures, subs, in_process)


def _sandboxed(lesson, checks, fixtures, paths, in_process: float) -> None:
    n = len(paths)
    for jobs in (1, 2):
        t0 = time.perf_counter()
        with Sandbox(GradeOptions(jobs=jobs, isolation="auto")) as sandbox:
            startup = time.perf_counter() - t0
            grader = Grader(lesson, sandbox, checks=checks, fixtures=fixtures)
            t1 = time.perf_counter()
            results = grader.grade_all(find_submissions(paths, lesson.module))
            batch = time.perf_counter() - t1
            isolation = sandbox.config.isolation
            memory = sandbox.memory_accounting
        assert all(r.score == r.max_score for r in results), "a correct copy lost points"
        per = batch / n
        print(f"sandboxed, --jobs {jobs} ({isolation} isolation, {memory}):")
        print(f"  start-up (zygote: Python, torch, the probe)  {startup:6.2f} s")
        print(f"  grading {n} submissions                      {batch:6.2f} s: "
              f"{per * 1000:6.1f} ms per submission, {per * jobs * 1000:6.1f} ms per "
              f"submission per core, overhead {(per * jobs - in_process) * 1000:+6.1f} ms "
              "per submission per core")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
