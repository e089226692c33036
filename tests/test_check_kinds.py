"""The kinds of checks every lesson has (README, "Kinds of checks every lesson has").

What can be enforced mechanically, for every lesson:
- the mutant catalogue's docstring holds the kinds table, one row per kind, each naming
  the TODOs that cover it or saying "n/a: <why>";
- every kind that applies has at least one mutant of that kind (``kind=...``) among the
  TODOs the table names, and the catalogue's kinds are all in the table;
- the checks really do what the table says: the checks of each TODO listed for
  "inputs", "gradients" and "figures" call the helpers call_unmodified,
  call_with_grad and figure_info; every function that takes a generator is called with
  generators of at least two seeds; "devices" mutants run under the strict device.

The checks are run once per lesson on the reference solution with a recording
implementation in between, so the rules follow what the checks do, not how they are
written.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from typing import Any

import pytest
import torch

from autograder import REPO_ROOT
from autograder import contract
from autograder.impl import LocalImpl
from autograder.runner import run_checks
from support import _FIXTURES, LESSON_IDS, LESSONS, lesson_checks

KINDS = ("randomness", "generality", "inputs", "gradients", "range", "figures", "devices")
HELPER_OF_KIND = {"inputs": "call_unmodified", "gradients": "call_with_grad",
                  "figures": "figure_info"}

each_lesson = pytest.mark.parametrize("info", LESSONS, ids=LESSON_IDS)


def _catalogue(info) -> Any:
    path = REPO_ROOT / "tests" / "mutants" / f"lesson{info.number}.py"
    assert path.exists(), f"lesson {info.number} has no mutant catalogue ({path})"
    spec = importlib.util.spec_from_file_location(f"_kinds_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kinds_table(doc: str) -> dict[str, tuple[set[int], str]]:
    """{kind: (TODO numbers, the row's text)} from the rows ``| kind | covered by |``."""
    table = {}
    for line in (doc or "").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.strip().startswith("|") and len(cells) >= 2 and cells[0] in KINDS:
            text = " | ".join(cells[1:])
            assert cells[0] not in table, f"the kind {cells[0]!r} has two rows"
            todos = set()
            for group in re.findall(r"TODOs? ([\d ,\-]+)", text):
                for part in re.findall(r"\d+(?:-\d+)?", group):
                    lo, _, hi = part.partition("-")
                    todos.update(range(int(lo), int(hi or lo) + 1))
            table[cells[0]] = (todos, text)
    return table


@each_lesson
def test_catalogue_has_a_kinds_table(info):
    table = kinds_table(_catalogue(info).__doc__)
    missing = [k for k in KINDS if k not in table]
    assert not missing, (f"tests/mutants/lesson{info.number}.py: the docstring's kinds table "
                         f"has no row for {missing}")
    todos = set(info.todos())
    for kind, (listed, text) in table.items():
        if text.startswith("n/a"):
            assert not listed and len(text.split()) >= 3, (
                f"lesson {info.number}, {kind}: 'n/a: <why it does not apply>'")
        else:
            assert listed, f"lesson {info.number}, {kind}: name the TODOs or write 'n/a: why'"
            assert listed <= todos, f"lesson {info.number}, {kind}: no TODO {listed - todos}"


@each_lesson
def test_every_applying_kind_has_a_mutant(info):
    catalogue = _catalogue(info)
    table = kinds_table(catalogue.__doc__)
    for name, spec in catalogue.MUTANTS.items():
        kind = spec.get("kind")
        if kind is None:
            continue
        assert kind in KINDS, f"{name}: unknown kind {kind!r}"
        listed, text = table[kind]
        assert spec["todo"] in listed, (f"{name}: kind {kind!r} for TODO {spec['todo']}, but "
                                        f"the table says {text!r}")
        if kind == "devices":
            assert spec.get("device") == "strict", f"{name}: a devices mutant runs strict"
    for kind, (listed, _) in table.items():
        if listed:
            assert any(s.get("kind") == kind for s in catalogue.MUTANTS.values()), (
                f"lesson {info.number}: the kind {kind!r} applies but no mutant has kind={kind!r}")


# ------------------------------------------------------------------ what the checks do

class Recorder:
    """An implementation that passes everything on to ``inner`` and records the calls."""

    def __init__(self, inner: LocalImpl):
        self.inner = inner
        self.device = inner.device
        self.description = inner.description
        self.todo = 0
        self.calls: list[tuple[int, str, str, tuple, dict]] = []  # (todo, kind, name, ...)

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        self.calls.append((self.todo, "call", name, args, kwargs))
        return self.inner.call(name, args, kwargs)

    def helper(self, name: str, args: tuple, kwargs: dict) -> Any:
        self.calls.append((self.todo, "helper", name, args, kwargs))
        return self.inner.helper(name, args, kwargs)

    def begin_check(self, seconds: float | None, end: float | None) -> None:
        self.inner.begin_check(seconds, end)

    def close(self) -> None:
        self.inner.close()


@functools.lru_cache(maxsize=None)
def recorded(number: str) -> list[tuple[int, str, str, tuple, dict]]:
    """Every call the lesson's non-slow checks make on the reference solution."""
    info = next(i for i in LESSONS if i.number == number)
    recorder = Recorder(LocalImpl(info.solution, info.module))
    try:
        for check in lesson_checks(info, slow=False):
            recorder.todo = check.todo
            (result,) = run_checks([check], recorder, _FIXTURES)
            assert result.passed, f"{check.name}: {result.message}"
    finally:
        recorder.close()
    return recorder.calls


def _generators(value: Any) -> list[torch.Generator]:
    if isinstance(value, torch.Generator):
        return [value]
    if isinstance(value, (list, tuple)):
        return [g for v in value for g in _generators(v)]
    if isinstance(value, dict):
        return [g for v in value.values() for g in _generators(v)]
    return []


@each_lesson
def test_checks_use_the_helper_of_each_kind(info):
    table = kinds_table(_catalogue(info).__doc__)
    calls = recorded(info.number)
    for kind, helper in HELPER_OF_KIND.items():
        for todo in sorted(table[kind][0]):
            assert any(t == todo and k == "helper" and name == helper
                       for t, k, name, _, _ in calls), (
                f"lesson {info.number}: the table lists TODO {todo} for {kind!r}, but no check "
                f"of TODO {todo} calls lesson.helper({helper!r}, ...)")


@each_lesson
def test_functions_taking_a_generator_are_checked_with_two_seeds(info):
    table = contract.declared(info.checks.read_text(), info.checks.name)
    takers = [fn for fn, params in table.items() if any(p == "generator" for p, _ in params)]
    seeds: dict[str, set[int]] = {fn: set() for fn in takers}
    for _, kind, name, args, kwargs in recorded(info.number):
        fn = args[0] if kind == "helper" and args and isinstance(args[0], str) else name
        if fn in seeds:
            seeds[fn].update(g.initial_seed() for g in _generators((args, kwargs)))
    few = {fn: sorted(s) for fn, s in seeds.items() if len(s) < 2}
    assert not few, (f"lesson {info.number}: call these with generators of two seeds at least "
                     f"(code ignoring the generator must fail): {few}")
    randomness = kinds_table(_catalogue(info).__doc__)["randomness"][1]
    assert bool(takers) != randomness.startswith("n/a"), (
        f"lesson {info.number}: the randomness row must apply exactly when a function takes a "
        f"generator ({takers})")


def test_call_without_restores_what_it_replaced(tmp_path):
    import torch.nn.functional as F

    from autograder.impl import Lesson

    module = tmp_path / "m.py"
    module.write_text("import torch\nfrom torch.nn.functional import softmax as sm\n"
                      "def lib(x):\n    return sm(x, 1)\n"
                      "def method(x):\n    return x.softmax(1)\n"
                      "def own(x):\n    return x.exp() / x.exp().sum(1, keepdim=True)\n")
    before = (F.softmax, torch.softmax, torch.Tensor.softmax, "softmax" in vars(torch.Tensor))
    impl = LocalImpl(module, "m")
    lesson = Lesson(impl)
    names = ["torch.nn.functional.softmax", "torch.softmax", "torch.Tensor.softmax"]
    x = torch.randn(2, 3)
    for fn in ("lib", "method"):
        with pytest.raises(Exception, match="ruled out"):
            lesson.helper("call_without", fn, [x], {}, names)
    assert torch.allclose(lesson.helper("call_without", "own", [x], {}, names), x.softmax(1))
    assert (F.softmax, torch.softmax, torch.Tensor.softmax,
            "softmax" in vars(torch.Tensor)) == before
    assert torch.allclose(lesson.lib(x), x.softmax(1))  # the module's own name is back too
    impl.close()
