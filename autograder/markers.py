"""The markers of a solution file, read in one place.

A solution marks each student task with nbgrader's markers, under a comment that names
the TODO; a comment runs on over lines that start with ``#`` and three spaces::

    # TODO 3: reset every gradient, compute the loss, backpropagate, then update each
    #   parameter in place under torch.no_grad(); return loss.item()
    # Hint: backward() adds to .grad; setting p.grad = None before it starts each step
    #   from zero.
    ### BEGIN SOLUTION
    ...reference code...
    ### END SOLUTION

and may name, at module level, the functions later lessons build on (``__given__ =
("build_vocab",)``) and the README figures it draws (``__figures__ = {"counts.png":
"draw_counts"}``). The build (skeletons, given modules, notebooks), the skeleton's
``NotImplementedError`` messages, the checks' hints, the summaries' ``next:`` step and
the notebooks' placeholders all read these markers with the functions below, so a
TODO's text is the same wherever it is quoted.

Imported inside a student's notebook kernel and by the grading sandbox: standard
library only.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from autograder.errors import AutograderError

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
TODO_LINE = re.compile(r"^\s*# TODO (\d+): (.+?)\s*$")
HINT_LINE = re.compile(r"^\s*# Hint: (.+?)\s*$")
CONTINUATION = re.compile(r"^\s*#   +(\S.*?)\s*$")  # "#" and three spaces or more
GIVEN_NAME = "__given__"
FIGURES_NAME = "__figures__"


class BuildError(AutograderError, ValueError):
    """A solution file breaks the conventions the build relies on (markers, tables)."""


def comment_text(lines: list[str], first: str, start: int, stop: int | None = None
                 ) -> tuple[str, int]:
    """A comment's text: ``first`` (what its marker line says) joined with the
    continuation lines from ``lines[start]`` on (never past ``stop``); and the index of
    the line after the comment."""
    stop = len(lines) if stop is None else min(stop, len(lines))
    text, i = first, start
    while i < stop:
        m = CONTINUATION.match(lines[i])
        if not m:
            break
        text += " " + m.group(1)
        i += 1
    return text, i


@dataclass(frozen=True)
class Todo:
    """One ``# TODO k:`` comment: its number, whole text, hint and lines."""

    number: int
    text: str
    hint: str  # the ``# Hint:`` comment that follows it, "" if none
    span: tuple[int, int]  # 0-based [start, stop) lines of the TODO and hint comments


def _todo_at(lines: list[str], i: int) -> Todo | None:
    m = TODO_LINE.match(lines[i])
    if not m:
        return None
    text, stop = comment_text(lines, m.group(2), i + 1)
    hint = ""
    h = HINT_LINE.match(lines[stop]) if stop < len(lines) else None
    if h:
        hint, stop = comment_text(lines, h.group(1), stop + 1)
    return Todo(int(m.group(1)), text, hint, (i, stop))


def todos(source: str) -> dict[int, Todo]:
    """Every TODO comment of a module, by number (the first comment of each number)."""
    lines = source.splitlines()
    found: dict[int, Todo] = {}
    for i in range(len(lines)):
        todo = _todo_at(lines, i)
        if todo is not None:
            found.setdefault(todo.number, todo)
    return found


def todo_texts(source: str) -> dict[int, str]:
    """TODO number -> what to do, the whole comment."""
    return {k: todo.text for k, todo in todos(source).items()}


def todo_above(lines: list[str], line: int, adjacent: bool = True) -> Todo | None:
    """The TODO comment above ``lines[line]``: in the block of comment lines that ends
    just above it, or with ``adjacent=False`` the nearest one anywhere above it."""
    if not adjacent:
        for i in range(line - 1, -1, -1):
            todo = _todo_at(lines, i)
            if todo is not None:
                return todo
        return None
    i = line - 1
    while i >= 0 and lines[i].strip().startswith("#"):
        i -= 1
    for j in range(i + 1, line):
        todo = _todo_at(lines, j)
        if todo is not None:
            return todo
    return None


# ----------------------------------------------------------------------------- regions

@dataclass(frozen=True)
class Region:
    """One solution region and the TODO it answers."""

    todo: int
    text: str
    begin: int  # line index of BEGIN
    end: int  # line index of END
    indent: str
    comment: tuple[int, int]  # line span [start, stop) of the TODO comment (and its hint)


def parse_regions(source: str, where: str) -> list[Region]:
    """Every solution region of a solution file, in order; BuildError on broken markers."""
    lines = source.splitlines()
    regions: list[Region] = []
    begin = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped == BEGIN:
            if begin is not None:
                raise BuildError(f"{where}:{i + 1}: {BEGIN} inside another solution region")
            begin = i
        elif stripped == END:
            if begin is None:
                raise BuildError(f"{where}:{i + 1}: {END} without {BEGIN}")
            indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
            if not indent:
                raise BuildError(f"{where}:{begin + 1}: solution regions belong inside "
                                  "functions")
            todo = todo_above(lines, begin)
            if todo is None:
                raise BuildError(f"{where}:{begin + 1}: {BEGIN} needs a '# TODO k: what to "
                                  "do' comment just above it")
            regions.append(Region(todo.number, todo.text, begin, i, indent, todo.span))
            begin = None
    if begin is not None:
        raise BuildError(f"{where}:{begin + 1}: {BEGIN} is never closed by {END}")
    if not regions:
        raise BuildError(f"{where}: no solution regions")
    numbers = sorted({r.todo for r in regions})
    if numbers != list(range(1, len(numbers) + 1)):
        raise BuildError(f"{where}: TODO numbers must run 1..n, found {numbers}")
    return regions


# ----------------------------------------------------------------------------- tables

def _module_table(source: str, name: str) -> tuple[object, int] | None:
    """The literal value assigned to ``name`` at module level and its line, if any."""
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name):
            try:
                return ast.literal_eval(node.value), node.lineno
            except ValueError:
                return None, node.lineno
    return None


def given_names(source: str, where: str) -> tuple[str, ...]:
    """The functions a solution gives to later lessons (its ``__given__`` tuple)."""
    found = _module_table(source, GIVEN_NAME)
    if found is None:
        return ()
    names, line = found
    if not (isinstance(names, tuple) and all(isinstance(n, str) for n in names)):
        raise BuildError(f"{where}:{line}: {GIVEN_NAME} must be a tuple of function names")
    return names


def figure_table(source: str, where: str) -> dict[str, str]:
    """A solution's ``__figures__``: README figure file name -> the function drawing it."""
    found = _module_table(source, FIGURES_NAME)
    if found is None:
        return {}
    table, line = found
    if not (isinstance(table, dict) and all(
            isinstance(k, str) and isinstance(v, str) and "/" not in k
            for k, v in table.items())):
        raise BuildError(f"{where}:{line}: {FIGURES_NAME} must map file names to function "
                          "names")
    return table


def figure_lines(source: str, where: str) -> set[int]:
    """Line indexes of the ``__figures__`` table and the functions it names (with the
    blank lines and top-level comments before them): build-time code that a skeleton and
    a notebook do not show."""
    table = figure_table(source, where)
    if not table:
        return set()
    lines = source.splitlines()
    drop: set[int] = set()
    for node in ast.parse(source).body:
        named = isinstance(node, ast.FunctionDef) and node.name in table.values()
        assigned = (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id == FIGURES_NAME)
        if named or assigned:
            start = node.lineno - 1
            while start > 0 and (not lines[start - 1].strip()
                                 or lines[start - 1].startswith("#")):
                start -= 1
            drop.update(range(start, node.end_lineno))
    return drop
