"""Each lesson's public functions, declared once, and the rules that keep them in step.

A lesson's check module declares the functions a student writes, with their parameters,
in one table::

    API = {
        "embed": "C, X",
        "bigram_probs": "N, smoothing=1",
    }

Everything is read from source with :mod:`ast` (nothing is imported), so the table can
be compared with the skeleton, the solution and the notebook, and a check that calls a
name the lesson does not declare is refused when the checks are collected.
"""

from __future__ import annotations

import ast
from pathlib import Path

from autograder.errors import AutograderError

Params = tuple[tuple[str, str | None], ...]  # (name, default source or None) in order

NOT_FUNCTIONS = {"helper", "device"}  # attributes of ``lesson`` that are the harness's own


class APIError(AutograderError, ValueError):
    """The declared table, a module or a check file disagree."""


def _params(args: ast.arguments) -> Params:
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    out = [(a.arg, None if d is None else ast.unparse(d)) for a, d in zip(positional, defaults)]
    out += [(a.arg, None if d is None else ast.unparse(d))
            for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    return tuple(out)


def parse_signature(text: str) -> Params:
    """The parameters of a declared signature such as ``"N, smoothing=1"``."""
    try:
        tree = ast.parse(f"def f({text}): pass")
    except SyntaxError as exc:
        raise APIError(f"not a parameter list: {text!r} ({exc.msg})") from None
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    return _params(fn.args)


def show(params: Params) -> str:
    return ", ".join(n if d is None else f"{n}={d}" for n, d in params)


def module_functions(source: str) -> dict[str, Params]:
    """Top-level functions of a module's source: name -> parameters."""
    tree = ast.parse(source)
    return {node.name: _params(node.args) for node in tree.body
            if isinstance(node, ast.FunctionDef)}


def declared(check_source: str, where: str) -> dict[str, Params]:
    """The ``API`` table of a check module's source."""
    for node in ast.parse(check_source).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "API"):
            try:
                table = ast.literal_eval(node.value)
            except ValueError:
                raise APIError(f"{where}: API must be a dict of literal strings") from None
            if not isinstance(table, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in table.items()):
                raise APIError(f"{where}: API must map function names to parameter lists")
            return {name: parse_signature(sig) for name, sig in table.items()}
    raise APIError(f"{where}: no API table (API = {{'function': 'its, parameters'}})")


def called(check_source: str) -> dict[str, int]:
    """Student functions a check module calls: ``lesson.f(...)`` and the function name
    given to a helper, ``lesson.helper("figure_info", "f", ...)``; name -> first line."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(check_source)):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == "lesson" and node.attr not in NOT_FUNCTIONS):
            found.setdefault(node.attr, node.lineno)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "helper" and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "lesson" and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            found.setdefault(node.args[1].value, node.lineno)
    return found


def undeclared_calls(check_path: Path, api_from: Path | None = None) -> list[str]:
    """Problems: calls in the check file to functions the API table does not declare.

    The table is the check file's own; a file without one (hidden checks kept outside
    the lesson) is held to the table of ``api_from``, the lesson's check module."""
    source = Path(check_path).read_text(encoding="utf-8")
    if api_from is not None and not any(
            isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "API"
                                                 for t in node.targets)
            for node in ast.parse(source).body):
        table = declared(Path(api_from).read_text(encoding="utf-8"), Path(api_from).name)
    else:
        table = declared(source, Path(check_path).name)
    return [f"{Path(check_path).name}:{line}: calls lesson.{name}(), which API does not declare"
            for name, line in sorted(called(source).items(), key=lambda kv: kv[1])
            if name not in table]


def disagreements(table: dict[str, Params], source: str, where: str) -> list[str]:
    """Problems: functions of ``table`` missing from a module, or with other parameters."""
    functions = module_functions(source)
    problems = []
    for name, params in table.items():
        if name not in functions:
            problems.append(f"{where}: no function {name}({show(params)})")
        elif functions[name] != params:
            problems.append(f"{where}: {name}({show(functions[name])}) differs from the "
                            f"declared {name}({show(params)})")
    return problems
