"""``autograder new NN <module>``: a new lesson's hand-written files, in the house style.

A lesson is its solution, its checks, its mistakes and its prose; everything a student
receives is then generated from them by ``autograder build``. This writes a working
first version of each (one function, one TODO, its checks and mistakes), so the author
starts from files that already pass the project's tests and replaces the example:

* ``solutions/NN/<module>.py``: the reference, with the TODO markers;
* ``lessons/NN/test_<module>.py``: the lesson's contract and its checks;
* ``tests/mutants/lessonNN.py``: the catalogue of typical mistakes, with their kinds;
* ``lessons/NN/README.md``: the chapter, its TODO table, how to check, the exercise;

and adds the lesson's row to the root README's lesson table. It never overwrites a file.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from autograder import REPO_ROOT
from autograder.errors import AutograderError


class ScaffoldError(AutograderError, ValueError):
    """The lesson cannot be created (bad number or name, files already there)."""


SOLUTION = '''"""Lesson {number}: {title}.

The reference solution: ``autograder build`` writes the student's skeleton
(lessons/{number}/{module}.py) and notebooks from it. Replace the example below with the
lesson's functions; each keeps type hints and a docstring with shapes and dtypes.
"""

from __future__ import annotations

import torch


def double(x: torch.Tensor) -> torch.Tensor:
    """Twice every entry of ``x``.

    x: a float tensor of any shape. Returns a tensor of the same shape and dtype.
    """
    # TODO 1: return x with every entry multiplied by 2
    # Hint: arithmetic on a tensor works elementwise and keeps its shape.
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION
'''

CHECKS = '''"""Checks for lesson {number} ({module}.py). Run them with:  pytest lessons/{number}"""

from __future__ import annotations

import torch

from autograder.checking import check, diagnose, expect, expect_close, expect_tensor
from autograder.contract import Contract

# What the checks may call, with the parameters, and what grading needs to know
# (autograder.contract).
CONTRACT = Contract(
    functions={{
        "double": "x",
    }},
)

X_SMALL = torch.tensor([[1.0, -2.0], [0.5, 0.0]])
HALVED = "the entries were divided by 2: multiply them, 2 * x"
PLUS_TWO = "2 was added to each entry: multiply by 2 instead, 2 * x"
SQUARED = "each entry was squared (x * x): double it instead, 2 * x"
FLAT = "keep the shape of x: 2 * x works elementwise, no flatten or view is needed"
IN_PLACE = ("double changed its input x: compute a new tensor (2 * x) instead of writing "
            "into x (x *= 2, x.mul_(2))")


def _mistakes(x: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """The answers of typical mistakes on ``x``, each with the hint that names it."""
    return [(x / 2, HALVED), (x + 2, PLUS_TWO), (x * x, SQUARED)]


@check(todo=1, points=1)
def test_double_small(lesson):
    got = lesson.double(X_SMALL)
    expect_tensor(got, "double(x)", shape=X_SMALL.shape, dtype=X_SMALL.dtype, hint=FLAT)
    expect_close(got, 2 * X_SMALL, "double(x)", hint=diagnose(got, _mistakes(X_SMALL)))


@check(todo=1, points=1)
def test_double_any_shape_and_inputs(lesson):
    for x in (torch.tensor(3.0), torch.arange(24.0).view(2, 3, 4), torch.zeros(0, 5)):
        out = lesson.helper("call_unmodified", "double", [x.clone()])
        expect(out["modified"] == [], f"double(x) with x of shape {{tuple(x.shape)}}",
               expected="x left unchanged", got=f"changed: {{out['modified']}}", hint=IN_PLACE)
        expect_close(out["result"], 2 * x, f"double(x) with x of shape {{tuple(x.shape)}}",
                     hint=diagnose(out["result"], _mistakes(x)))
'''

MUTANTS = '''"""Typical mistakes for lesson {number} ({module}.py); see tests/test_mutants.py.

Kinds of checks (README, "Kinds of checks every lesson has"; tests/test_check_kinds.py):

| kind | covered by |
|---|---|
| randomness | n/a: nothing is drawn at random |
| generality | TODO 1: a 0-D, a 2-D, a 3-D and an empty input |
| inputs | TODO 1: x through call_unmodified |
| gradients | n/a: the example has no parameters to train |
| range | n/a: doubling has no step that overflows before its result does |
| figures | n/a: no figure |
| devices | n/a: double creates no tensor of its own |
"""

MUTANTS = {{
    "halved": dict(
        todo=1,
        kind="generality",
        old="return 2 * x",
        new="return x / 2",
        hint="divided by 2"),
    "plus_two": dict(
        todo=1,
        kind="generality",
        old="return 2 * x",
        new="return x + 2",
        hint="2 was added"),
    "squared": dict(
        todo=1,
        old="return 2 * x",
        new="return x * x",
        hint="squared"),
    "flattened": dict(
        todo=1,
        old="return 2 * x",
        new="return 2 * x.flatten()",
        hint="keep the shape of x"),
    "doubled_in_place": dict(
        todo=1,
        kind="inputs",
        old="return 2 * x",
        new="x *= 2\\n    return x",
        hint="changed its input x"),
}}
'''

README = '''# {title}

What the lesson builds, why, and its key idea, in the course's own words (a figure where
one helps: declare it in the solution's `__figures__`).

## Your TODOs

| TODO | function | what to do |
|---|---|---|
| 1 | `double` | return x with every entry multiplied by 2 |

## Check your work

```
pytest lessons/{number}               # all checks, with your points at the end
pytest lessons/{number} -k todo1      # the checks of TODO 1
```

When everything is right the summary reads:

```
{points_line}
```

## What the checks expect

- `double`: a tensor of the input's shape and dtype, every entry twice the input's, for
  inputs of any shape (a single number, an empty tensor); the input left unchanged.

## Exercise

An open question that takes the idea one step further.
'''


def _points_line(number: str) -> str:
    return f"lesson {number}: 2/2 points (2/2 checks passed); done"


def create(number: str, module: str, title: str | None = None,
           root: Path = REPO_ROOT) -> list[Path]:
    """Write a new lesson's hand-written files under ``root`` and its README row; returns
    the files written. ScaffoldError if the number or name is not valid or a file exists."""
    if not re.fullmatch(r"\d\d", number):
        raise ScaffoldError(f"a lesson number has two digits, like 11, not {number!r}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", module) or module.startswith("test_"):
        raise ScaffoldError(f"a module name is a lowercase Python name, like bigram_lm, "
                            f"not {module!r}")
    title = title or module.replace("_", " ").capitalize()
    values = {"number": number, "module": module, "title": title,
              "points_line": _points_line(number)}
    files = {
        root / "solutions" / number / f"{module}.py": SOLUTION,
        root / "lessons" / number / f"test_{module}.py": CHECKS,
        root / "tests" / "mutants" / f"lesson{number}.py": MUTANTS,
        root / "lessons" / number / "README.md": README,
    }
    existing = [str(p.relative_to(root)) for p in files if p.exists()]
    taken = [str(p.relative_to(root)) for p in (root / "lessons" / number,
                                                 root / "solutions" / number) if p.exists()]
    if existing or taken:
        raise ScaffoldError(f"lesson {number} exists already ({', '.join(existing or taken)}): "
                            "nothing was written")
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    rows = list(re.finditer(r"^\| \[(\d\d)\]\(lessons/\d\d/README\.md\) \|.*$", text, re.M))
    contents = {path: template.format(**values) for path, template in files.items()}
    for path, content in contents.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    if rows:
        row = (f"| [{number}](lessons/{number}/README.md) | `{module}.py` | {title.lower()} "
               "| (the lecture) |")
        after = [m for m in rows if m.group(1) < number]
        at = after[-1].end() + 1 if after else rows[0].start()
        text = text[:at] + row + "\n" + text[at:]
        readme.write_text(text, encoding="utf-8")
    return list(files)


def main(args: argparse.Namespace) -> int:
    try:
        written = create(f"{int(args.number):02d}" if args.number.isdigit() else args.number,
                         args.module, args.title)
    except ScaffoldError as exc:
        print(f"autograder new: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    number = written[0].parent.name
    print(f"and the lesson's row in README.md. Next: replace the example in each file, then\n"
          f"  autograder build            # the skeleton and notebooks from the solution\n"
          f"  pytest lessons/{number} --impl solutions\n"
          f"  pytest tests/test_mutants.py -k lesson{number}")
    return 0


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="start a new lesson: its solution, checks, mistakes and "
                                   "README in the house style")
    p.add_argument("number", help="the lesson's number, e.g. 11")
    p.add_argument("module", help="the student's module, e.g. batchnorm")
    p.add_argument("--title", help="the lesson's title (default: from the module name)")
    p.set_defaults(func=main)
