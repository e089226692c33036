"""Benchmark: the student's loop, ``pytest lessons/NN`` and ``autograder progress``.

Times, as a student runs them (a fresh Python each time, pytest start-up and
``import torch`` included):

- ``pytest lessons/NN`` on the untouched skeleton, every lesson;
- ``pytest lessons/NN --impl solutions -m "not slow"``: the finished lesson;
- ``autograder progress`` on the skeletons, and on finished lessons (the solutions
  copied into a temporary lessons folder next to their checks).

Every command runs pinned to core 0. ``--busy`` adds a process spinning on another
core (``other``: core 1, another program busy next to the student's run, what a laptop
with a busy browser sees) or on the same core (``same``: core 0, so the run gets about
half of it). Each command runs once untimed first, so the timed run finds the values
the checks keep between runs (``data/derived/``) as a student's second run does;
``--cold`` gives every run an empty cache folder instead (a student's first run). Run
it from the repository root:

    COURSE_DATA_DIR=../shared/data python tests/benchmarks/student_loop.py [--busy other]

It prints, in seconds: the wall time (the goal's measure), the CPU time (user + system:
on a machine shared with other jobs the wall time measures them too, the CPU time much
less), and "checks", what the run reports itself after its start-up (pytest's "in
0.21s", progress's total); then the goal (checks of a lesson: 2 s on the skeleton, 5 s
on the solution; progress: 5 s on the skeletons, 20 s finished). It asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

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


COLD = False  # --cold: every run gets an empty cache folder


@contextmanager
def _run(command: list[str]) -> Iterator[subprocess.Popen]:
    """``command`` started pinned to CORE (with an empty cache folder when COLD)."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="student-loop-") as tmp:
        if COLD:
            env["COURSE_CACHE_DIR"] = tmp
        yield subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, preexec_fn=_pin(CORE), env=env)


# the seconds a run reports itself (after start-up): pytest's "5 failed in 0.21s",
# progress's "(3.4 s; slow checks: ...)"
SESSION = re.compile(r"(?: in ([0-9.]+)s\b| \(([0-9.]+) s; slow checks)")


def _session_seconds(output: str) -> float:
    found = [float(a or b) for a, b in SESSION.findall(output)]
    return found[-1] if found else math.nan


def timed(command: list[str], repeat: int) -> tuple[float, float, float, int]:
    """The median wall and CPU seconds (user + system, the process and its children) of
    ``command`` over ``repeat`` runs after an untimed one, the seconds it reported itself
    (after its start-up), and its last exit status."""
    walls, cpus, sessions = [], [], []
    status = 0
    if not COLD:
        with _run(command) as child:
            child.communicate()
    for _ in range(repeat):
        start = time.perf_counter()
        with _run(command) as child:
            output = child.stdout.read().decode(errors="replace")
            _, code, usage = os.wait4(child.pid, 0)
            walls.append(time.perf_counter() - start)
            cpus.append(usage.ru_utime + usage.ru_stime)
            sessions.append(_session_seconds(output))
            status = os.waitstatus_to_exitcode(code)
            child.returncode = status
            child.stdout.close()
    return (statistics.median(walls), statistics.median(cpus), statistics.median(sessions),
            status)


def finished_lessons(target: Path) -> Path:
    """A lessons folder whose modules are the reference solutions, next to their checks."""
    for info in all_lessons():
        folder = target / info.number
        folder.mkdir(parents=True)
        shutil.copy2(info.checks, folder / info.checks.name)
        shutil.copy2(info.solution, folder / info.solution.name)
    return target


def row(label: str, figures: tuple[float, float, float, int],
        goal: float | None = None) -> None:
    wall, cpu, session, status = figures
    text = f"{label:42} {wall:6.2f} {cpu:6.2f}"
    text += f" {session:8.2f}" if not math.isnan(session) else " " * 9
    if goal is not None:
        text += f"  {goal:4g} {'ok' if wall <= goal else 'OVER':4} {status:4}"
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", choices=("none", "other", "same"), default="none",
                        help="a spinning process on core 1 (other), on core 0 (same) or none")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (the median)")
    parser.add_argument("--lessons", nargs="*", help="only these lessons (default: all)")
    parser.add_argument("--no-progress", action="store_true", help="leave out progress")
    parser.add_argument("--cold", action="store_true",
                        help="an empty cache folder for every run (no untimed run first)")
    args = parser.parse_args()
    global COLD
    COLD = args.cold
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
          + f"); {'cold: an empty cache folder per run' if COLD else 'after an untimed run'}"
          + f"; load average before {load:.1f} (above 0 means other processes too)")
    print(f"{'':42} {'wall':>6} {'CPU':>6} {'checks':>8}  {'goal':>4} {'':4} {'exit':4}")
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
