"""Benchmark: the student's loop, ``pytest lessons/NN`` and ``autograder progress``.

Times, as a student runs them (a fresh Python each time, pytest start-up and
``import torch`` included):

- ``pytest lessons/NN`` on the untouched skeleton, every lesson;
- ``pytest lessons/NN --impl solutions -m "not slow"``: the finished lesson;
- ``autograder progress`` on the skeletons, and on finished lessons (the solutions
  copied into a temporary lessons folder next to their checks).

Every command runs pinned to core 0. ``--busy`` adds a process spinning on another
core (``other``: core 1, another program busy next to the student's run) or on the same
core (``same``: core 0, so the run gets about half of it). Run it from the repository
root:

    COURSE_DATA_DIR=../shared/data python tests/benchmarks/student_loop.py [--busy other]

It prints wall and CPU seconds (user + system: on a machine shared with other jobs the
wall time measures them too, the CPU time much less) and the goals (checks of a lesson:
2 s on the skeleton, 5 s on the solution; progress: 5 s on the skeletons, 20 s
finished); it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from autograder import REPO_ROOT
from autograder.lessons import all_lessons

GOALS = {"skeleton": 2.0, "solution": 5.0, "progress skeletons": 5.0,
         "progress finished": 20.0}
CORE = 0


def _pin(core: int):
    def pin() -> None:
        os.sched_setaffinity(0, {core})
    return pin


@contextmanager
def busy(where: str):
    """A process spinning on core 1 (``other``) or core 0 (``same``), or none."""
    if where == "none":
        yield
        return
    core = 1 if where == "other" else CORE
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"],
                               preexec_fn=_pin(core))
    try:
        time.sleep(0.2)
        yield
    finally:
        spinner.kill()
        spinner.wait()


def timed(command: list[str], repeat: int) -> tuple[float, float, int]:
    """The median wall and CPU seconds (user + system, the process and its children) of
    ``command`` over ``repeat`` runs, and its last exit status."""
    walls, cpus = [], []
    status = 0
    for _ in range(repeat):
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, preexec_fn=_pin(CORE))
        _, code, usage = os.wait4(child.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        status = os.waitstatus_to_exitcode(code)
        child.returncode = status
    return statistics.median(walls), statistics.median(cpus), status


def finished_lessons(target: Path) -> Path:
    """A lessons folder whose modules are the reference solutions, next to their checks."""
    for info in all_lessons():
        folder = target / info.number
        folder.mkdir(parents=True)
        shutil.copy2(info.checks, folder / info.checks.name)
        shutil.copy2(info.solution, folder / info.solution.name)
    return target


def row(label: str, figures: tuple[float, float, int], goal: float | None = None) -> None:
    wall, cpu, status = figures
    text = f"{label:42} {wall:7.2f} s wall {cpu:6.2f} s CPU"
    if goal is not None:
        text += f"  (goal {goal:g} s: {'ok' if wall <= goal else 'OVER'}; exit {status})"
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", choices=("none", "other", "same"), default="none",
                        help="a spinning process on core 1 (other), on core 0 (same) or none")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (the median)")
    parser.add_argument("--lessons", nargs="*", help="only these lessons (default: all)")
    parser.add_argument("--no-progress", action="store_true", help="leave out progress")
    args = parser.parse_args()
    if not hasattr(os, "sched_setaffinity"):
        sys.exit("this benchmark pins processes to cores (Linux only)")
    lessons = [i for i in all_lessons() if not args.lessons or i.number in
               {f"{int(n):02d}" for n in args.lessons}]
    python = [sys.executable]
    load = os.getloadavg()[0]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; every run "
          f"pinned to core {CORE}; busy: {args.busy} ("
          + {"none": "no spinner", "other": "a spinner on core 1",
             "same": "a spinner sharing core 0"}[args.busy]
          + f"); load average before {load:.1f} (above 0 means other processes too)")
    with busy(args.busy):
        row('python -c "import torch" (the floor)', timed(python + ["-c", "import torch"],
                                                          args.repeat))
        for info in lessons:
            pytest = python + ["-m", "pytest", f"lessons/{info.number}", "-q",
                               "-p", "no:cacheprovider"]
            row(f"pytest lessons/{info.number} (skeleton)", timed(pytest, args.repeat),
                GOALS["skeleton"])
            row(f"pytest lessons/{info.number} --impl solutions",
                timed(pytest + ["--impl", "solutions", "-m", "not slow"], args.repeat),
                GOALS["solution"])
        if not args.no_progress:
            progress = python + ["-m", "autograder.cli", "progress"]
            row("autograder progress (skeletons)", timed(progress, args.repeat),
                GOALS["progress skeletons"])
            with tempfile.TemporaryDirectory() as tmp:
                folder = finished_lessons(Path(tmp) / "lessons")
                row("autograder progress (finished lessons)",
                    timed(progress + ["--dir", str(folder)], args.repeat),
                    GOALS["progress finished"])
    print(f"load average after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
