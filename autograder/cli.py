"""The ``autograder`` command: build, data, progress, grade, gradescope."""

from __future__ import annotations

import argparse
import os
import sys



def _cmd_build(args: argparse.Namespace) -> int:
    from autograder.build import BuildError, build

    try:
        report = build(check=args.check, force=args.force, figures=args.figures)
    except BuildError as exc:
        print(f"autograder build: {exc}", file=sys.stderr)
        return 2
    if args.check:
        for problem in report.problems:
            print(f"warning: {problem}", file=sys.stderr)
        if report.stale:
            print("out of date (run `autograder build` and commit the result):")
            for rel in report.stale:
                print(f"  {rel}")
            return 1
        print(f"all {len(report.unchanged)} generated files are up to date")
        return 0
    for rel in report.written:
        print(f"wrote {rel}")
    for rel in report.backups:
        print(f"kept a backup of your edited file: {rel}")
    for rel in report.kept:
        print(f"skipped {rel}: it has edits of your own (use --force to replace it; "
              "a backup is kept)", file=sys.stderr)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(f"{len(report.written)} written, {len(report.unchanged)} unchanged, "
          f"{len(report.kept)} kept")
    return 1 if report.problems else 0


def _cmd_data(args: argparse.Namespace) -> int:
    from autograder import data

    if args.source and args.action != "fetch":
        print("autograder data: --from goes with fetch", file=sys.stderr)
        return 2
    names = args.names or sorted(data.datasets())
    status = 0
    for name in names:
        try:
            if args.action == "where":
                path = data.resolve(name, download=False)
                print(f"{name}: {path}")
            elif args.action == "verify":
                path = data.resolve(name, download=False)
                print(f"{name}: ok ({path}, sha256 {data.dataset(name).sha256[:12]}...)")
            elif args.source:  # fetch --from DIR
                path = data.copy_from(name, args.source)
                print(f"{name}: copied to {path} (verified)")
            else:  # fetch
                path = data.resolve(name)
                print(f"{name}: {path}")
        except data.DataError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="regenerate the skeletons and given modules from solutions/")
    p.add_argument("--check", action="store_true",
                   help="change nothing; exit 1 and name the generated files that are stale")
    p.add_argument("--force", action="store_true",
                   help="also replace skeletons that have edits of their own (keeps a backup)")
    p.add_argument("--figures", action="store_true", help="redraw the lesson figures too")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("data", help="the datasets: fetch, verify or show where they are")
    p.add_argument("action", choices=("fetch", "verify", "where"))
    p.add_argument("names", nargs="*", help="datasets (default: all of data/manifest.json)")
    p.add_argument("--from", dest="source", metavar="DIR",
                   help="fetch: copy the files from this folder into the cache (verified), so "
                        "no COURSE_DATA_DIR is needed afterwards")
    p.set_defaults(func=_cmd_data)

    from autograder.grading import commands as grading_commands

    grading_commands.add_commands(sub)
    from autograder import progress

    progress.add_command(sub)
    from autograder import edition

    edition.add_command(sub)
    from autograder import scaffold

    scaffold.add_command(sub)

    args = parser.parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()  # inside the try: a closed pipe must surface here, not at exit
        return status
    except BrokenPipeError:  # `autograder grade ... | head`: the reader left; end quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
