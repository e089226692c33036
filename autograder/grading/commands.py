"""The grading commands of ``autograder``: grade, gradescope, merge, report."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from autograder.lessons import LessonError, get_lesson
from autograder.summary import plural, summarize


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
                   help="memory of a submission (default 4G): all its processes together "
                        "where a memory cgroup can be made, else per process (README)")
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


def parse_shard(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise argparse.ArgumentTypeError(f"not a shard: {text!r} (use I/N with 1 <= I <= N, "
                                         "e.g. 2/8)")
    return int(m.group(1)), int(m.group(2))


def _intake(args: argparse.Namespace, info, out) -> list | None:
    """The submissions to grade (None: nothing gradable, reported); intake lines printed."""
    from autograder.grading.intake import gather
    from autograder.grading.shards import shard_of
    from autograder.grading.students import apply_name_pattern

    skeleton = info.skeleton.read_bytes() if info.skeleton.exists() else None
    intake = gather([Path(p) for p in args.submissions], info.module, skeleton,
                    decode=args.decode)
    if args.name_pattern:
        try:
            apply_name_pattern(intake, args.name_pattern)
        except re.error as exc:
            print(f"autograder grade: --name-pattern: {exc}", file=sys.stderr)
            return None
    for note in intake.notes:
        print(note, file=out)
    for entry, why in intake.skipped:
        print(f"skipped: {entry}: {why}", file=out)
    if not intake.submissions:
        where = ", ".join(args.submissions)
        print(f"autograder grade: nothing to grade in {where}"
              + (" (every entry was skipped, see above)" if intake.skipped else
                 " (no submission there)"), file=sys.stderr)
        return None
    subs = intake.submissions
    if args.shard:
        index, count = args.shard
        subs = [s for s in subs if shard_of(s.student, count) == index - 1]
        print(f"shard {index}/{count}: {plural(len(subs), 'submission')} of "
              f"{len(intake.submissions)}", file=out)
    return subs


def _cmd_grade(args: argparse.Namespace) -> int:
    from autograder.sandbox import launch

    launch.start_early()  # the sandbox's Python imports torch while this one does
    from autograder.grading import formats
    from autograder.grading.grade import Grader, Sandbox
    from autograder.grading.gradebook import GradebookError, open_gradebook
    from autograder.runner import collect
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
    submissions = _intake(args, info, sys.stdout)
    if submissions is None:
        return 2
    try:
        book = open_gradebook(collect(args.checks or info.checks, api_from=info.checks),
                              args.csv, args.json, fresh=args.fresh)
    except (GradebookError, OSError) as exc:
        print(f"autograder grade: {exc}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    outputs = [Path(p).resolve() for p in (args.csv, args.json) if p]
    sources = [Path(p).resolve() for p in args.submissions]
    try:
        sandbox = Sandbox(_options(args, outputs + sources), log=_log)
    except SandboxUnavailable as exc:
        print(f"autograder grade: {exc}", file=sys.stderr)
        return 2
    with sandbox:
        grader = Grader(info, sandbox)
        progress = Progress(len(submissions), enabled=not args.quiet)

        last = {"at": 0.0, "cost": 0.0}

        def save(result) -> None:
            """Keep the files current, at most about every 2 s (and at least 20 times
            the cost of a write apart), so a class of thousands is not rewritten after
            every submission; the final write follows the batch."""
            progress.update(result)
            book.update(result, args.visibility)
            now = time.monotonic()
            if now - last["at"] >= max(2.0, 20 * last["cost"]):
                book.write(args.csv, args.json, args.excel)
                last["at"], last["cost"] = time.monotonic(), time.monotonic() - now

        results = grader.grade_all(submissions, on_result=save) if submissions else []
        book.write(args.csv, args.json, args.excel)
        print(f"lesson {info.number} ({info.module}.py), {plural(len(results), 'submission')}, "
              f"isolation: {sandbox.config.isolation}")
        print(formats.table(results, grader.checks))
        notes = [(r.student, n) for r in results for n in r.notes]
        if notes:
            print("\nnotes:")
            for student, note in notes:
                print(f"  {student}: {note}")
        if len(results) == 1 or args.verbose:  # each student's line, as pytest prints it
            print()
            for r in results:
                if r.results:
                    print(summarize(info, r.results, impl=r.student).line())
        if args.csv or args.json:
            print("\n" + book.summary(len(results)))
        if args.verbose:
            for r in results:
                problem = formats.first_problem(r)
                if problem:
                    print(f"\n{r.student}: {problem}")
    return 0


def _cmd_gradescope(args: argparse.Namespace) -> int:
    from autograder.sandbox import launch

    launch.start_early()
    import json

    from autograder.grading import formats
    from autograder.grading.atomic import write_atomically
    from autograder.grading.grade import Grader, Sandbox
    from autograder.grading.submission import read_submission

    info = get_lesson(args.lesson)
    problem = missing_data(info, args.checks)
    if problem:
        print(f"autograder gradescope: {problem}", file=sys.stderr)
        return 2
    skeleton = info.skeleton.read_bytes() if info.skeleton.exists() else None
    submission = read_submission(Path(args.submission), info.module, skeleton)
    results_path = Path(args.results)
    with Sandbox(_options(args, [results_path.resolve().parent, Path(args.submission).resolve()]),
                 log=_log) as sandbox:
        grader = Grader(info, sandbox)
        result = grader.grade(submission)
    # one student's results.json in Gradescope's own format (not keyed by student)
    write_atomically(results_path, json.dumps(
        formats.gradescope_json(result, args.visibility), indent=2) + "\n")
    print(f"{result.score}/{result.max_score} points; wrote {results_path}")
    return 0


def _cmd_merge(args: argparse.Namespace) -> int:
    from autograder.grading.gradebook import GradebookError, merge_parts

    try:
        book = merge_parts([Path(p) for p in args.parts])
    except GradebookError as exc:
        print(f"autograder merge: {exc}", file=sys.stderr)
        return 2
    book.write(args.csv, args.json, args.excel)
    print(f"merged {plural(len(args.parts), 'part')}: {plural(len(book.entries), 'student')}"
          + "".join(f"; wrote {p}" for p in (args.csv, args.json) if p))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from autograder.grading.class_report import (ReportError, load_results, terminal_summary,
                                                 write_html)

    try:
        entries = load_results(Path(args.results))
    except ReportError as exc:
        print(f"autograder report: {exc}", file=sys.stderr)
        return 2
    print(terminal_summary(entries))
    if args.html:
        write_html(entries, Path(args.html), title=args.title)
        print(f"\nwrote {args.html}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="grade submissions of a lesson in the sandbox")
    p.add_argument("--lesson", required=True, help="lesson number, e.g. 03")
    p.add_argument("submissions", nargs="+",
                   help="module files, folders holding one, zips, or folders of those")
    _add_limits(p, None)
    p.add_argument("--csv", help="the gradebook: a row per student, a column per check; "
                                 "an existing file's other students are kept")
    p.add_argument("--json", help="the class results.json: an object keyed by student, each "
                                  "in Gradescope's format; an existing file's other students "
                                  "are kept")
    p.add_argument("--fresh", action="store_true",
                   help="start the --csv/--json gradebook anew instead of updating it")
    p.add_argument("--excel", action="store_true",
                   help="write the CSV with a byte-order mark, so Excel reads accents right")
    p.add_argument("--decode", action="store_true",
                   help="convert modules saved as UTF-16 or cp1252 to UTF-8 before grading")
    p.add_argument("--name-pattern", metavar="REGEX",
                   help="take the student id from entry names (group 'id', else group 1) and "
                        "keep the latest attempt per id (group 'attempt', else the file time); "
                        "presets: canvas, moodle, blackboard")
    p.add_argument("--shard", type=parse_shard, metavar="I/N",
                   help="grade only shard I of N (a stable 1/N of the students, by name); "
                        "join the parts' --json files with `autograder merge`")
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

    p = sub.add_parser("merge", help="join the results.json of shards into one gradebook")
    p.add_argument("parts", nargs="+", help="results.json files written by grade --shard")
    p.add_argument("--csv", help="write the gradebook CSV")
    p.add_argument("--json", help="write the class results.json")
    p.add_argument("--excel", action="store_true", help="CSV with a byte-order mark")
    p.set_defaults(func=_cmd_merge)

    p = sub.add_parser("report", help="the class report of a results.json: terminal summary, "
                                      "--html page")
    p.add_argument("results", help="a class results.json (grade --json or merge --json)")
    p.add_argument("--html", help="write a self-contained HTML page with figures")
    p.add_argument("--title", default=None, help="the page's title")
    p.set_defaults(func=_cmd_report)
