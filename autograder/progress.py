"""``autograder progress``: every lesson's checks on your own modules, the quick way.

Your own code is not graded in a sandbox: each lesson's module is imported here, like
``pytest lessons/NN`` does, and its checks run through the same runner, so the points
and the "next" step are the ones pytest shows. Slow checks (training to a target) are
left to ``pytest lessons/NN``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from autograder import summary
from autograder.cache import on_disk
from autograder.checking import one_thread
from autograder.lessons import LESSONS_DIR, LessonInfo, all_lessons


def lesson_row(info: LessonInfo, fixtures, module_dir: Path | None = None) -> tuple[str, ...]:
    """(lesson, checks passed, points, next step) for one lesson."""
    from autograder.impl import LocalImpl
    from autograder.runner import collect, run_checks, score

    try:
        checks = [c for c in collect(info.checks) if not c.info.slow]
    except Exception as exc:  # a broken check file must not hide the other lessons
        return (info.number, "-", "-", f"its checks do not load: {exc}")
    path = (module_dir or info.dir) / f"{info.module}.py"
    if not path.is_file():
        return (info.number, "-", "-", f"{path.name} is missing: restore it with "
                                       "`autograder build`")
    impl = LocalImpl(path, info.module)
    try:
        results = run_checks(checks, impl, fixtures, todos=info.todos())
    finally:
        impl.close()
    earned, possible = score(results)
    passed = sum(r.passed for r in results)
    step = summary.next_step(info, results) or "done"
    not_run = [r for r in results if r.status == "not run"]
    if not_run:
        step += f" ({summary.plural(len(not_run), 'check')} not run: data missing, "
        step += "see `autograder data verify`)"
    return (info.number, f"{passed}/{len(results)}", f"{earned}/{possible}",
            step.removeprefix("next: "))


def main(args: argparse.Namespace) -> int:
    from autograder.runner import FixtureCache

    lessons_dir = Path(args.dir).resolve() if args.dir else LESSONS_DIR
    lessons = all_lessons(lessons_dir)
    if args.lessons:
        wanted = {f"{int(n):02d}" for n in args.lessons if str(n).isdigit()}
        unknown = sorted(set(args.lessons) - {n for n in args.lessons if str(n).isdigit()})
        if unknown:
            print(f"autograder progress: not lesson numbers: {', '.join(unknown)}",
                  file=sys.stderr)
            return 2
        lessons = [info for info in lessons if info.number in wanted]
    start = time.monotonic()
    fixtures = FixtureCache()
    width = max(60, shutil.get_terminal_size((120, 20)).columns)
    print(f"{'lesson':<7} {'checks':>7} {'points':>7}  next")
    earned = possible = 0
    for info in lessons:
        with on_disk(), one_thread():  # as pytest lessons/NN does
            row = lesson_row(info, fixtures)
        if "/" in row[2]:
            earned += int(row[2].split("/")[0])
            possible += int(row[2].split("/")[1])
        line = f"{row[0]:<7} {row[1]:>7} {row[2]:>7}  {row[3]}"
        print(line if len(line) <= width else line[: width - 3] + "...", flush=True)
        if args.verbose:
            print(f"        {info.title}")
    print(f"{'total':<7} {'':>7} {f'{earned}/{possible}':>7}  "
          f"({time.monotonic() - start:.1f} s; slow checks: pytest lessons/NN)")
    return 0


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="your progress: every lesson's checks on your modules")
    p.add_argument("lessons", nargs="*", help="only these lessons (default: all)")
    p.add_argument("--dir", help="the lessons folder to check (default: the course's lessons/)")
    p.add_argument("-v", "--verbose", action="store_true", help="also show lesson titles")
    p.set_defaults(func=main)
