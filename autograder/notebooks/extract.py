"""A notebook submission as a module: the lesson's functions taken from its code cells.

The grader never executes a notebook outside the sandbox. It reads the ``.ipynb`` as
JSON and writes a module holding, from every code cell in order, the top-level
statements a module needs: imports, function and class definitions, and assignments
without calls (constants such as ``SEED = 2147483647``). Everything else (the setup
cell's installs, experiments such as ``N = count_bigrams(words, stoi)``, check cells,
IPython magics) is left out, so the module imports quickly and only the checks, run
in the sandbox, call the student's code.

A cell with a syntax error cannot be split into statements: each function it seems to
define (``def name(`` at the start of a line) becomes a function raising that
SyntaxError, so the checks of those functions fail with the cell's error and the other
cells are still graded, as in nbgrader.
"""

from __future__ import annotations

import ast
import json
import re

from autograder.errors import AutograderError

HEADER = ("# The lesson's functions, taken by the autograder from the code cells of {name}\n"
          "# (imports, definitions and constants only; no cell was run).\n")


class NotebookFormatError(AutograderError, ValueError):
    """The file is not a readable Jupyter notebook."""


def code_cells(data: bytes) -> list[str]:
    """The source of each code cell of a notebook file, in order."""
    try:
        nb = json.loads(data.decode("utf-8-sig"))  # a BOM, as some Windows editors add
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotebookFormatError(f"not a Jupyter notebook (invalid JSON: {exc})") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise NotebookFormatError("not a Jupyter notebook (no list of cells)")
    sources = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if isinstance(source, str):
            sources.append(source)
    return sources


def _without_magics(source: str) -> str:
    """IPython's ``%magic``, ``!shell`` and ``?help`` lines become comments."""
    return "\n".join(f"# {line}" if re.match(r"\s*[%!?]", line) else line
                     for line in source.splitlines())


def _course_side(node: ast.stmt) -> bool:
    """An import of the course's own notebook machinery (the prelude's check cells and
    device helper): it has no place in the graded module, and the sandbox refuses it.
    The given code of earlier lessons (``autograder.given``) stays."""
    if isinstance(node, ast.ImportFrom):
        names = [node.module or ""]
        if node.module == "autograder":
            names = [f"autograder.{a.name}" for a in node.names]
    elif isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        return False
    return any((n == "autograder" or n.startswith("autograder."))
               and not (n == "autograder.given" or n.startswith("autograder.given."))
               for n in names)


def _keep(node: ast.stmt) -> bool:
    if _course_side(node):
        return False
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                         ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        return not any(isinstance(n, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom,
                                      ast.NamedExpr, ast.Lambda))
                       for n in ast.walk(node.value))
    return False


def module_source(data: bytes, name: str = "the notebook") -> str:
    """The module written from a notebook file's code cells (see the module docstring)."""
    parts = [HEADER.format(name=name)]
    future: list[str] = []
    for index, raw in enumerate(code_cells(data), 1):
        source = _without_magics(raw)
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            message = (f"code cell {index} of {name} has a syntax error, line {exc.lineno}: "
                       f"{exc.msg}")
            for fn in dict.fromkeys(re.findall(r"^def\s+(\w+)\s*\(", source, re.MULTILINE)):
                parts.append(f"\n\ndef {fn}(*args, **kwargs):\n"
                             f"    raise SyntaxError({message!r})\n")
            continue
        lines = source.splitlines()
        for node in tree.body:
            if not _keep(node):
                continue
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            text = "\n".join(lines[start - 1:node.end_lineno])
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                future.append(text)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                parts.append(f"\n\n{text}\n")
            else:
                parts.append(text + "\n")
    body = "".join(parts[1:])
    if "todo_message(" in body and "def todo_message(" not in body:
        parts.insert(1, _todo_message_source())
    return "".join(f"{line}\n" for line in dict.fromkeys(future)) + "".join(parts)


def _todo_message_source() -> str:
    """The placeholder's message function, written into the module with the marker
    reading it uses: the notebook imports it from the course, which the sandbox does
    not let student code import."""
    import inspect

    from autograder import markers
    from autograder.notebooks import cells

    patterns = "".join(f"{name} = re.compile({getattr(markers, name).pattern!r})\n"
                       for name in ("TODO_LINE", "HINT_LINE", "CONTINUATION"))
    functions = [markers.comment_text, markers.Todo, markers._todo_at, markers.todo_above,
                 cells.todo_message]
    return ("import linecache\nimport re\nimport sys\nfrom dataclasses import dataclass\n\n"
            + patterns + "\n\n" + "\n\n".join(inspect.getsource(f) for f in functions) + "\n")
