"""``autograder progress``: every lesson's checks on your own modules, the quick way.

Your own code is not graded in a sandbox: each lesson's module is imported here, like
``pytest lessons/NN`` does, and its checks run through the same runner; each lesson's
line is :mod:`autograder.summary`'s, the one pytest prints. Slow checks (training to a
target) are left to ``pytest lessons/NN``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from autograder import summary
from autograder.lessons import LESSONS_DIR, LessonFolder, all_lessons


def lesson_summary(info: LessonFolder, fixtures, module_dir: Path | None = None
                   ) -> summary.Summary | str:
    """The summary of one lesson's non-slow checks on the student's module, or why they
    could not run (a check file that does not load, a missing module)."""
    from autograder.impl import LocalImpl
    from autograder.runner import collect, run_checks

    try:
        checks = [c for c in collect(info.checks) if not c.info.slow]
    except Exception as exc:  # a broken check file must not hide the other lessons
        return f"lesson {info.number}: its checks do not load: {exc}"
    path = (module_dir or info.dir) / f"{info.module}.py"
    if not path.is_file():
        return f"lesson {info.number}: {path.name} is missing: restore it with `autograder build`"
    impl = LocalImpl(path, info.module)
    try:
        results = run_checks(checks, impl, fixtures, todos=info.todos())
    finally:
        impl.close()
    return summary.summarize(info, results)


def main(args: argparse.Namespace) -> int:
    from autograder.cache import on_disk
    from autograder.checking import one_thread
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
    earned = possible = not_run = 0
    for info in lessons:
        with on_disk(), one_thread():  # as pytest lessons/NN does
            result = lesson_summary(info, fixtures)
        if isinstance(result, summary.Summary):
            earned, possible = earned + result.earned, possible + result.possible
            not_run += result.not_run
            line = result.line()
        else:
            line = result
        print(line, flush=True)  # whole: a TODO's text is never cut
        if args.verbose:
            print(f"  {info.title}")
    missing = (f"; {summary.plural(not_run, 'check')} not run: data missing, see "
               "`autograder data verify`" if not_run else "")
    print(f"total: {earned}/{possible} points{missing} ({time.monotonic() - start:.1f} s; "
          "slow checks: pytest lessons/NN)")
    return 0


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="your progress: every lesson's checks on your modules")
    p.add_argument("lessons", nargs="*", help="only these lessons (default: all)")
    p.add_argument("--dir", help="the lessons folder to check (default: the course's lessons/)")
    p.add_argument("-v", "--verbose", action="store_true", help="also show lesson titles")
    p.set_defaults(func=main)
