"""The nbgrader *source* notebook of a lesson, generated from the lesson's own files.

Inputs (nothing else, so every lesson, present or future, gets its notebook):

* ``lessons/NN/README.md``: the text, as markdown cells (relative image links point at
  the repository, so they show in Colab too);
* ``solutions/NN/<module>.py``: its docstring (markdown), its code as cells. The regions
  are those :func:`autograder.markers.parse_regions` finds, the same that make the
  skeleton: every top-level function holding a ``### BEGIN SOLUTION`` region becomes an
  nbgrader solution cell, everything else (imports, constants, helpers) plain cells;
* ``lessons/NN/test_<module>.py``: after the last cell of each TODO, an autograded test
  cell worth the points of that TODO's checks, which runs them
  (:class:`autograder.notebooks.cells.LessonChecks`);
* the solution's ``__figures__``: the lesson's figures, drawn by the notebook's functions.

Cell ids and nbgrader ``grade_id``s are derived from TODO numbers and function names,
so rebuilding gives the same file byte for byte.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path
from typing import Any

from autograder.errors import AutograderError
from autograder.markers import figure_lines, figure_table, parse_regions
from autograder.lessons import LessonFolder
from autograder.notebooks import project

SCHEMA_VERSION = 3
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
PIP_SOURCE_ENV = "COURSE_PIP_SOURCE"

SETUP = '''\
# Setup. In Colab, or wherever this notebook runs outside a clone of the course, this
# installs the course and fetches the data (checked against its sha256). Inside the
# repository it does nothing: there, install the course once with `pip install -e .`.
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

COURSE = "{pip_spec}"
_here = Path.cwd().resolve()
if not any((p / "lessons").is_dir() and (p / "autograder").is_dir()
           for p in (_here, *_here.parents)):
    if importlib.util.find_spec("autograder") is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                        os.environ.get("{env}", COURSE)], check=True)
        importlib.invalidate_caches()
    subprocess.run([sys.executable, "-m", "autograder.cli", "data", "fetch"], check=True)'''

PRELUDE = '''\
# The course's side of this notebook: the check cells, and the device for experiments.
%matplotlib inline
from autograder.device import pick_device
from autograder.notebooks.cells import LessonChecks, todo_message  # noqa: F401

LESSON = "{number}"
checks = LessonChecks(LESSON, globals())  # lessons/{number}'s checks, run on this notebook
device = pick_device()  # CUDA, then MPS, then the CPU; the checks themselves use the CPU
print(f"lesson {{LESSON}}: {{len(checks.checks)}} checks; device for your experiments: {{device}}")'''

CHECK_CELL = '''\
# The checks of TODO {todo} ({points} points): the same as `pytest lessons/{number} -k todo{todo}`
checks.run(todo={todo})'''


class NotebookError(AutograderError, ValueError):
    """A lesson's files cannot be turned into a notebook."""


def _lines(text: str) -> list[str]:
    """A cell's source as nbformat writes it: lines with their newlines."""
    return text.splitlines(keepends=True)


def markdown(cell_id: str, text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": _lines(text)}


def code(cell_id: str, text: str, nbgrader: dict[str, Any] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if nbgrader is not None:
        metadata["nbgrader"] = {"schema_version": SCHEMA_VERSION, **nbgrader}
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": metadata,
            "outputs": [], "source": _lines(text)}


def locked(grade_id: str) -> dict[str, Any]:
    return {"grade": False, "grade_id": grade_id, "locked": True, "solution": False}


# ----------------------------------------------------------------------------- README

def readme_cells(text: str, lesson_rel: str, url: str) -> list[str]:
    """The README split at its ``##`` headings (not inside code fences), with relative
    image links pointing at the repository's raw files."""

    def link(m: re.Match) -> str:
        target = m.group(2)
        if re.match(r"[a-z]+:", target) or target.startswith("/"):
            return m.group(0)
        return f"![{m.group(1)}]({project.raw_url(url, f'{lesson_rel}/{target}')})"

    text = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", link, text)
    parts: list[list[str]] = [[]]
    fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        if line.startswith("## ") and not fence and any(s.strip() for s in parts[-1]):
            parts.append([])
        parts[-1].append(line)
    return ["\n".join(p).strip() for p in parts if any(s.strip() for s in p)]


# ----------------------------------------------------------------------------- code

def _span(node: ast.stmt, lines: list[str]) -> tuple[int, int]:
    """0-based [start, stop) lines of a top-level statement, decorators included, and
    the indented comments that end it (a function's ``### END SOLUTION``)."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    stop = node.end_lineno or node.lineno
    ahead = stop
    while ahead < len(lines) and (not lines[ahead].strip() or (
            lines[ahead][:1].isspace() and lines[ahead].strip().startswith("#"))):
        ahead += 1
        if lines[ahead - 1].strip():
            stop = ahead
    return start - 1, stop


def code_chunks(source: str, where: str) -> tuple[str, list[tuple[str, str, list[int]]]]:
    """The module docstring, and the code as chunks ``(kind, text, todos)``: kind
    "solution" for a top-level function holding solution regions (todos: theirs), else
    "plain"; comments above a statement stay with it."""
    tree = ast.parse(source)
    lines = source.splitlines()
    regions = parse_regions(source, where)
    body = list(tree.body)
    docstring = ""
    first = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        docstring = inspect.cleandoc(body[0].value.value)
        first = _span(body[0], lines)[1]
        body = body[1:]
    chunks: list[tuple[str, str, list[int]]] = []
    pos = plain_start = first
    for node in body:
        start, stop = _span(node, lines)
        todos = sorted({r.todo for r in regions if start <= r.begin < stop})
        if todos and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                                           ast.ClassDef)):
            raise NotebookError(f"{where}:{start + 1}: solution regions must sit in top-level "
                                "functions or classes for the notebook")
        kind = "solution" if todos else "plain"
        if kind == "plain" and chunks and chunks[-1][0] == "plain":
            chunks.pop()  # one plain cell for consecutive plain statements
            pos = plain_start
        elif kind == "plain":
            plain_start = pos
        chunks.append((kind, "\n".join(lines[pos:stop]).strip("\n"), todos))
        pos = stop
    tail = "\n".join(lines[pos:]).strip("\n")
    if tail.strip():
        chunks.append(("plain", tail, []))
    covered = {r.todo for r in regions}
    found = {k for kind, _, todos in chunks for k in todos}
    if covered != found:
        raise NotebookError(f"{where}: TODOs {sorted(covered - found)} are not in functions")
    return docstring, chunks


# ----------------------------------------------------------------------------- figures

def figure_code(source: str, function: str) -> str | None:
    """A notebook cell drawing a lesson figure: the body of the solution's figure
    function (``__figures__``, a function of no argument), its final ``return fig``
    turned into ``fig`` so the figure shows inline. None if it has no such shape."""
    fn = next((node for node in ast.parse(source).body
               if isinstance(node, ast.FunctionDef) and node.name == function), None)
    if fn is None or fn.args.args:
        return None
    body = list(fn.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
        return None
    body[-1] = ast.Expr(body[-1].value)
    return "\n".join(ast.unparse(stmt) for stmt in body)


def module_names(source: str) -> set[str]:
    """The names a module's top level defines: functions, classes, imports, variables."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        else:
            names |= {n.id for n in ast.walk(node)
                      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


def _figures_for(number: str, source: str, where: str) -> list[tuple[str, str]]:
    """(target file, cell code) of every figure the solution declares in ``__figures__``."""
    found = []
    for name, function in figure_table(source, where).items():
        cell = figure_code(source, function)
        if cell is not None:
            found.append((f"lessons/{number}/{name}", cell))
    return found


# ----------------------------------------------------------------------------- notebook

def check_points(info: LessonFolder) -> dict[int, int]:
    """TODO -> the points of its checks, from the lesson's check module."""
    from autograder.runner import collect

    points: dict[int, int] = {}
    for c in collect(info.checks):
        points[c.todo] = points.get(c.todo, 0) + c.points
    return points


def source_notebook(info: LessonFolder, solution: Path, url: str) -> dict[str, Any]:
    """The nbgrader source notebook of a lesson, as a JSON-ready dict."""
    number, module = info.number, info.module
    rel = f"solutions/{number}/{solution.name}"
    text = solution.read_text(encoding="utf-8")
    hidden = figure_lines(text, rel)  # the figure table and functions: build-time code
    docstring, chunks = code_chunks("\n".join(
        line for i, line in enumerate(text.splitlines()) if i not in hidden) + "\n", rel)
    points = check_points(info)
    todos = sorted({k for _, _, ks in chunks for k in ks})
    missing = [k for k in todos if k not in points]
    if missing:
        raise NotebookError(f"{info.checks.name}: no checks for TODO {missing}")

    cells = [code("setup", SETUP.format(pip_spec=project.pip_spec(url), env=PIP_SOURCE_ENV),
                  locked("setup"))]
    readme = info.dir / "README.md"
    if readme.is_file():
        for i, part in enumerate(readme_cells(readme.read_text(encoding="utf-8"),
                                              f"lessons/{number}", url), 1):
            cells.append(markdown(f"readme-{i}", part))
    cells.append(markdown("notebook", (
        f"## This notebook\n\n"
        f"The cells below are `{module}.py`: fill in each function's TODO, run its cell, then "
        f"run the check cell after it. The check cells run the checks of `pytest lessons/"
        f"{number}` on the functions defined here and print the same messages; a check "
        f"cell that fails shows what was expected, what came back and a hint.")))
    cells.append(code("prelude", PRELUDE.format(number=number), locked("prelude")))
    if docstring:
        cells.append(markdown("module-docstring", f"### `{module}.py`\n\n{docstring}"))

    last_chunk = {k: max(i for i, (_, _, ks) in enumerate(chunks) if k in ks) for k in todos}
    figures = _figures_for(number, text, rel)
    figure_after: dict[int, list[tuple[str, str]]] = {}
    defined_by = {name: ks for kind, body, ks in chunks if kind == "solution"
                  for name in [ast.parse(body).body[-1].name]}  # type: ignore[attr-defined]
    for target, cell in figures:
        used = {n.id for n in ast.walk(ast.parse(cell)) if isinstance(n, ast.Name)}
        needed = [k for name in used & set(defined_by) for k in defined_by[name]]
        figure_after.setdefault(max(needed, default=max(todos)), []).append((target, cell))

    plain = 0
    pending: list[dict[str, Any]] = []  # check cells wait for the plain code that follows
    for i, (kind, body, ks) in enumerate(chunks):
        if kind == "plain":
            plain += 1
            cells.append(code(f"code-{plain}", body))
            continue
        cells += pending
        pending = []
        name = ast.parse(body).body[-1].name  # type: ignore[attr-defined]
        grade_id = f"todo{'-'.join(map(str, ks))}-{name}".replace("_", "-")
        cells.append(code(grade_id, body, {"grade": False, "grade_id": grade_id,
                                           "locked": False, "solution": True}))
        for k in ks:
            if last_chunk[k] != i:
                continue
            pending.append(code(f"check-todo{k}", CHECK_CELL.format(
                todo=k, points=points[k], number=number), {
                    "grade": True, "grade_id": f"check-todo{k}", "locked": True,
                    "points": points[k], "solution": False}))
            for j, (target, cell) in enumerate(figure_after.get(k, []), 1):
                pending.append(markdown(f"figure-{k}-{j}-text", (
                    f"The lesson's figure (`{target}`), drawn by your functions once TODO "
                    f"{k} passes its checks:")))
                pending.append(code(f"figure-{k}-{j}", cell))
    cells += pending
    cells.append(markdown("summary-text", "## Your points\n\nThe checks run above, as "
                                          f"`pytest lessons/{number}` sums them up:"))
    cells.append(code("summary", "checks.summary()", locked("summary")))
    return {"cells": cells, "metadata": {"kernelspec": KERNELSPEC,
                                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def dumps(nb: dict[str, Any]) -> str:
    """A notebook as nbformat writes it (so nbgrader's rewrites change nothing)."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
