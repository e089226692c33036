"""Commands that run checks against student code: grade, gradescope, progress."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from autograder.lessons import LessonError, get_lesson


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", text.lower())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 512M or 4G)")
    return int(float(m.group(1)) * 1024 ** " kmgt".index(m.group(2) or " "))


def _add_limits(p: argparse.ArgumentParser, jobs_default: int | None) -> None:
    p.add_argument("--jobs", type=int, default=jobs_default,
                   help="submissions graded at once (default: the number of cores)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds allowed per check (default 60; slow checks may ask for more)")
    p.add_argument("--total-timeout", type=float, default=600.0,
                   help="seconds allowed per submission, all checks together (default 600)")
    p.add_argument("--memory", type=parse_size, default=parse_size("4G"),
                   help="address-space limit per submission (default 4G)")
    p.add_argument("--isolation", choices=("auto", "full", "basic"), default="auto",
                   help="auto: the strongest this system allows; full: fail unless namespaces "
                        "work; basic: resource limits only")


def _options(args: argparse.Namespace, protected: list[Path]):
    from autograder.grading.grade import GradeOptions

    return GradeOptions(jobs=max(1, args.jobs or os.cpu_count() or 1), timeout=args.timeout,
                        total_timeout=args.total_timeout, memory=args.memory,
                        isolation=args.isolation, checks=getattr(args, "checks", None),
                        protected=protected)


def missing_data(info, checks: Path | None = None) -> str | None:
    """Why the lesson's checks cannot all run here (a dataset missing or corrupt), or None.

    Grading never starts without its data: a missing file must not cost students points.
    """
    from autograder import data
    from autograder.fixtures import DATASETS
    from autograder.runner import collect

    needed = {DATASETS[p] for c in collect(checks or info.checks, api_from=info.checks)
              for p in c.params if p in DATASETS}
    for name in sorted(needed):
        try:
            data.resolve(name)
        except data.DataError as exc:
            return f"not grading: lesson {info.number}'s checks need data that is not here.\n{exc}"
    return None


def _log(message: str) -> None:
    print(message, file=sys.stderr)


class Progress:
    """A one-line progress bar on a terminal, a line per submission otherwise."""

    def __init__(self, total: int, enabled: bool = True):
        self.total, self.done, self.enabled = total, 0, enabled
        self.tty = sys.stderr.isatty()
        self.start = time.monotonic()

    def update(self, result) -> None:
        self.done += 1
        if not self.enabled:
            return
        label = f"{result.student}: {result.score}/{result.max_score}"
        if self.tty:
            filled = int(30 * self.done / max(1, self.total))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} "
                             f"{label[:40]:<40}")
            if self.done == self.total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(f"[{self.done}/{self.total}] {label} ({result.seconds:.1f} s)\n")
        sys.stderr.flush()


def _cmd_grade(args: argparse.Namespace) -> int:
    from autograder.sandbox import launch

    launch.start_early()  # the sandbox's Python imports torch while this one does
    from autograder.grading import reports
    from autograder.grading.grade import Grader, Sandbox
    from autograder.grading.submissions import find_submissions
    from autograder.sandbox.remote import SandboxUnavailable

    try:
        info = get_lesson(args.lesson)
    except LessonError as exc:
        print(f"autograder grade: {exc}", file=sys.stderr)
        return 2
    problem = missing_data(info, getattr(args, "checks", None))
    if problem:
        print(f"autograder grade: {problem}", file=sys.stderr)
        return 2
    submissions = find_submissions([Path(p) for p in args.submissions], info.module)
    if not submissions:
        print("autograder grade: no submissions found", file=sys.stderr)
        return 2
    outputs = [Path(p).resolve() for p in (args.csv, args.json) if p]
    sources = [Path(p).resolve() for p in args.submissions]
    try:
        sandbox = Sandbox(_options(args, outputs + sources), log=_log)
    except SandboxUnavailable as exc:
        print(f"autograder grade: {exc}", file=sys.stderr)
        return 2
    with sandbox:
        grader = Grader(info, sandbox)
        done = []
        progress = Progress(len(submissions), enabled=not args.quiet)

        def save(result) -> None:
            done.append(result)
            progress.update(result)
            order = {id(s): i for i, s in enumerate(submissions)}
            ranked = sorted(done, key=lambda r: order.get(id(r), 0))
            if args.csv:
                reports.write_atomically(Path(args.csv), reports.gradebook_csv(ranked, grader.checks))
            if args.json:
                reports.write_atomically(Path(args.json),
                                         reports.results_json(ranked, args.visibility))

        results = grader.grade_all(submissions, on_result=save)
        if args.csv:
            reports.write_atomically(Path(args.csv), reports.gradebook_csv(results, grader.checks))
        if args.json:
            reports.write_atomically(Path(args.json), reports.results_json(results, args.visibility))
        from autograder.summary import plural

        print(f"lesson {info.number} ({info.module}.py), {plural(len(results), 'submission')}, "
              f"isolation: {sandbox.config.isolation}")
        print(reports.table(results, grader.checks))
        if args.verbose:
            for r in results:
                problem = reports.first_problem(r)
                if problem:
                    print(f"\n{r.student}: {problem}")
    return 0


def _cmd_gradescope(args: argparse.Namespace) -> int:
    from autograder.sandbox import launch

    launch.start_early()
    from autograder.grading import reports
    from autograder.grading.grade import Grader, Sandbox
    from autograder.grading.submissions import read_submission

    info = get_lesson(args.lesson)
    problem = missing_data(info, args.checks)
    if problem:
        print(f"autograder gradescope: {problem}", file=sys.stderr)
        return 2
    submission = read_submission(Path(args.submission), info.module)
    results_path = Path(args.results)
    with Sandbox(_options(args, [results_path.resolve().parent, Path(args.submission).resolve()]),
                 log=_log) as sandbox:
        grader = Grader(info, sandbox)
        result = grader.grade(submission)
    reports.write_atomically(results_path, reports.results_json([result], args.visibility))
    print(f"{result.score}/{result.max_score} points; wrote {results_path}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="grade submissions of a lesson in the sandbox")
    p.add_argument("--lesson", required=True, help="lesson number, e.g. 03")
    p.add_argument("submissions", nargs="+",
                   help="module files, folders holding one, zips, or folders of those")
    _add_limits(p, None)
    p.add_argument("--csv", help="write the gradebook: a row per student, a column per check")
    p.add_argument("--json", help="write Gradescope results.json (an object keyed by student "
                                  "when there are several submissions)")
    p.add_argument("--checks", type=Path,
                   help="grade with this check file instead of the lesson's (hidden checks)")
    p.add_argument("--visibility", default="visible",
                   choices=("visible", "hidden", "after_due_date", "after_published"),
                   help="Gradescope visibility of the checks (default visible)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="also print each student's first failing check")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("gradescope", help="Gradescope entry point: grade /autograder/submission "
                                          "into /autograder/results/results.json")
    p.add_argument("--lesson", required=True)
    p.add_argument("--submission", default="/autograder/submission")
    p.add_argument("--results", default="/autograder/results/results.json")
    p.add_argument("--checks", type=Path, help="check file to use instead of the lesson's")
    p.add_argument("--visibility", default="visible",
                   choices=("visible", "hidden", "after_due_date", "after_published"))
    _add_limits(p, 1)
    p.set_defaults(func=_cmd_gradescope)
