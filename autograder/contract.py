"""Each lesson's contract: what its checks may call, and what the harness reads of it.

A lesson's check module declares, in one place, the functions a student writes (with
their parameters) and anything else the harness needs to know about the lesson::

    from autograder.contract import Contract

    CONTRACT = Contract(
        functions={
            "embed": "C, X",
            "bigram_probs": "N, smoothing=1",
        },
        max_result_bytes=96 << 20,  # grading carries results up to this size
    )

The contract is read from source with :mod:`ast` (nothing is imported), so it can be
compared with the skeleton, the solution and the notebook, and a check that calls a
name the contract does not declare is refused when the checks are collected. When the
checks run, the ``lesson`` object they receive refuses an undeclared name too
(:class:`UndeclaredCall`), however the check came by it (``getattr(lesson, name)``, a
name held in a variable, a helper given the function's name).
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import AutograderError

Params = tuple[tuple[str, str | None], ...]  # (name, default source or None) in order

NOT_FUNCTIONS = {"helper", "device"}  # attributes of ``lesson`` that are the harness's own


class ContractError(AutograderError, ValueError):
    """The declared contract, a module or a check file disagree."""


class UndeclaredCall(ContractError):
    """A check called a function its lesson's contract does not declare."""


CONTRACT_NAME = "CONTRACT"


@dataclass(frozen=True)
class Contract:
    """A lesson's public functions and what the harness reads of its checks.

    ``functions``: name -> its parameter list as written in a ``def`` ("N, smoothing=1").
    ``max_result_bytes``: the largest encoded result grading carries back from the
    student's process for this lesson (None: the grader's default)."""

    functions: dict[str, str] = field(default_factory=dict)
    max_result_bytes: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.functions, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in self.functions.items()):
            raise ContractError("functions must map function names to parameter lists")
        for signature in self.functions.values():
            parse_signature(signature)
        if self.max_result_bytes is not None and (
                type(self.max_result_bytes) is not int or self.max_result_bytes <= 0):
            raise ContractError("max_result_bytes must be a positive int")

    def params(self) -> dict[str, Params]:
        """name -> parameters, parsed."""
        return {name: parse_signature(sig) for name, sig in self.functions.items()}

    def require(self, name: str) -> None:
        """UndeclaredCall unless ``name`` is one of the lesson's functions."""
        if name not in self.functions:
            raise UndeclaredCall(f"the check calls lesson.{name}(), which the lesson's CONTRACT "
                                 f"does not declare (it declares: "
                                 f"{', '.join(self.functions) or 'nothing'})")


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
        raise ContractError(f"not a parameter list: {text!r} ({exc.msg})") from None
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


_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.LShift: operator.lshift, ast.Pow: operator.pow}


def _value(node: ast.expr, where: str) -> object:
    """A literal, or integer arithmetic on literals (``96 << 20``)."""
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _value(node.left, where), _value(node.right, where)
        if type(left) is int and type(right) is int:
            return _OPERATORS[type(node.op)](left, right)
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ContractError(f"{where}:{node.lineno}: the CONTRACT holds literals only, not "
                            f"{ast.unparse(node)}") from None


def read_contract(check_source: str, where: str) -> Contract:
    """The ``CONTRACT = Contract(...)`` of a check module's source."""
    for node in ast.parse(check_source).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == CONTRACT_NAME):
            call = node.value
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                    and call.func.id == "Contract" and not call.args):
                raise ContractError(f"{where}:{node.lineno}: CONTRACT must be "
                                    "Contract(functions={...}, ...) with keyword arguments")
            try:
                return Contract(**{kw.arg: _value(kw.value, where) for kw in call.keywords})
            except TypeError as exc:
                raise ContractError(f"{where}:{node.lineno}: {exc}") from None
            except ContractError as exc:
                raise ContractError(f"{where}:{node.lineno}: {exc}") from None
    raise ContractError(f"{where}: no CONTRACT (CONTRACT = Contract(functions={{'function': "
                        "'its, parameters'}}))")


def declared(check_source: str, where: str) -> dict[str, Params]:
    """The functions the contract of a check module's source declares, with parameters."""
    return read_contract(check_source, where).params()


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


def contract_of(check_path: Path, api_from: Path | None = None) -> Contract:
    """The contract a check file is held to: its own; for a file without one (hidden
    checks kept outside the lesson), that of ``api_from``, the lesson's check module."""
    source = Path(check_path).read_text(encoding="utf-8")
    if api_from is not None and not any(
            isinstance(node, ast.Assign) and any(isinstance(t, ast.Name)
                                                 and t.id == CONTRACT_NAME for t in node.targets)
            for node in ast.parse(source).body):
        return read_contract(Path(api_from).read_text(encoding="utf-8"), Path(api_from).name)
    return read_contract(source, Path(check_path).name)


def undeclared_calls(check_path: Path, api_from: Path | None = None) -> list[str]:
    """Problems: calls in the check file to functions its contract does not declare."""
    source = Path(check_path).read_text(encoding="utf-8")
    table = contract_of(check_path, api_from).functions
    return [f"{Path(check_path).name}:{line}: calls lesson.{name}(), which API does not declare "
            "(the functions of its CONTRACT)"
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
