"""Every lesson's checks: pass on the reference, fail on the skeleton, follow the rules."""

from __future__ import annotations

import ast
import re

import pytest
import torch

from autograder import contract
from autograder.markers import parse_regions
from support import _FIXTURES, LESSON_IDS, LESSONS, lesson_checks, run_lesson

each_lesson = pytest.mark.parametrize("info", LESSONS, ids=LESSON_IDS)


def _failures(results):
    return "\n".join(f"{r.name}: {r.status}\n{r.message}" for r in results if not r.passed)


@each_lesson
def test_checks_pass_on_solution(info):
    results = run_lesson(info, info.solution)
    assert all(r.passed for r in results), _failures(results)


@each_lesson
def test_checks_pass_on_solution_strict_device(info):
    """CPU inputs and a meta default device, as in grading: a tensor made without device=
    breaks. Grading carries results up to its contract's max_result_bytes (default: the
    wire's cap), so the largest result of a correct submission must fit it."""
    from autograder.grading.grade import result_bytes
    from autograder.impl import LocalImpl
    from autograder.runner import run_checks

    checks = lesson_checks(info, slow=False)
    impl = LocalImpl(info.solution, info.module, device="strict")
    try:
        results = run_checks(checks, impl, _FIXTURES)
    finally:
        impl.close()
    assert all(r.passed for r in results), _failures(results)
    cap = result_bytes(checks, None)
    assert impl.largest_result <= cap, (
        f"lesson {info.number} returns {impl.largest_result >> 20} MiB; set max_result_bytes "
        f"in its contract (now {cap >> 20} MiB)")


@each_lesson
def test_checks_pass_on_solution_cuda(info):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine; the strict-device test covers the CPU")
    results = run_lesson(info, info.solution, lesson_checks(info, slow=False), device="cuda")
    assert all(r.passed for r in results), _failures(results)


@each_lesson
def test_every_check_fails_on_skeleton_by_its_todo(info):
    results = run_lesson(info, info.skeleton)
    for r in results:
        assert r.status == "error" and r.exc_type == "NotImplementedError", (r.name, r.message)
        assert re.search(rf"lesson {info.number}, TODO \d+: ", r.message), r.message


@each_lesson
def test_conventions(info):
    checks = lesson_checks(info)
    todos = info.todos()
    regions = parse_regions(info.solution.read_text(), str(info.solution))
    assert sorted(todos) == sorted({r.todo for r in regions}) == list(range(1, len(todos) + 1))
    for k in todos:
        mine = [c for c in checks if c.todo == k]
        assert len(mine) >= 2, f"TODO {k} of lesson {info.number} needs at least two checks"
    assert {c.todo for c in checks} <= set(todos)
    readme = (info.dir / "README.md").read_text()
    assert f"pytest lessons/{info.number}" in readme
    for k in todos:
        assert f"TODO {k}" in readme, f"lesson {info.number}'s README does not list TODO {k}"


@each_lesson
def test_skeleton_todo_raises_once_per_region(info):
    source = info.skeleton.read_text()
    raises = re.findall(rf'raise NotImplementedError\(.lesson {info.number}, TODO (\d+): ', source)
    assert sorted(set(raises)) == [str(k) for k in sorted(info.todos())]


def test_every_solution_has_a_lesson_with_checks():
    from autograder.lessons import SOLUTIONS_DIR

    with_checks = {i.number for i in LESSONS}
    for folder in sorted(SOLUTIONS_DIR.glob("[0-9][0-9]")):
        assert folder.name in with_checks, f"solutions/{folder.name} has no lessons/{folder.name} checks"


@each_lesson
def test_declared_api_matches_skeleton_and_solution(info):
    """The lesson's API table, its skeleton and its solution name the same functions."""
    table = contract.declared(info.checks.read_text(), info.checks.name)
    for path in (info.skeleton, info.solution):
        assert contract.disagreements(table, path.read_text(), str(path)) == []
    with_todos = {name for name, node in _functions(info.solution).items()
                  if "### BEGIN SOLUTION" in ast.get_source_segment(info.solution.read_text(), node)}
    assert with_todos <= set(table), f"functions with TODOs but not in API: {with_todos - set(table)}"


def _functions(path):
    return {n.name: n for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef)}


def test_a_check_calling_an_undeclared_function_is_refused_at_collection(tmp_path):
    from autograder.runner import CheckDefinitionError, collect

    checks = tmp_path / "test_embedding.py"
    checks.write_text('from autograder.checking import check\nfrom autograder.contract import Contract\n\n'
                      'CONTRACT = Contract(functions={"embed": "C, X"})\n\n\n'
                      '@check(todo=1, points=1)\ndef test_x(lesson):\n'
                      '    lesson.embedd(1, 2)\n')
    with pytest.raises(CheckDefinitionError, match=r"lesson\.embedd\(\), which API does not"):
        collect(checks)


def test_the_contract_holds_when_checks_run(tmp_path):
    """A name the collection-time scan cannot see (getattr with a name in a variable, a
    helper given the function's name) is refused when the check runs, as the check's
    fault, never the student's."""
    from autograder.impl import LocalImpl
    from autograder.runner import Status, collect, run_checks

    checks = tmp_path / "test_m.py"
    checks.write_text(
        'from autograder.checking import check\nfrom autograder.contract import Contract\n\n'
        'CONTRACT = Contract(functions={"f": "x"})\n\n\n'
        '@check(todo=1, points=1)\ndef test_declared(lesson):\n    assert lesson.f(1) == 2\n\n\n'
        '@check(todo=1, points=1)\ndef test_by_getattr(lesson):\n    name = "g"\n'
        '    getattr(lesson, name)(1)\n\n\n'
        '@check(todo=1, points=1)\ndef test_by_helper(lesson):\n    which = "g"\n'
        '    lesson.helper("call_unmodified", which, [1])\n')
    module = tmp_path / "m.py"
    module.write_text("def f(x):\n    return 2 * x\n\ndef g(x):\n    return x\n")
    results = run_checks(collect(checks), LocalImpl(module, "m"))
    assert [r.status for r in results] == [Status.PASSED, Status.ERROR, Status.ERROR]
    for r in results[1:]:
        assert r.exc_type == "UndeclaredCall" and "not your code" in r.message
        assert "lesson.g(), which the lesson's CONTRACT does not declare" in r.message


def test_a_contract_is_literal_and_well_formed():
    from autograder.contract import ContractError, read_contract

    good = read_contract('CONTRACT = Contract(functions={"f": "x, k=1"}, '
                         'max_result_bytes=96 << 20)', "t.py")
    assert good.max_result_bytes == 96 << 20 and good.params() == {"f": (("x", None),
                                                                        ("k", "1"))}
    for source, message in [
            ('CONTRACT = Contract(functions={"f": "x"}, max_result_bytes=size)', "literals"),
            ('CONTRACT = Contract(functions={"f": "x,,"})', "not a parameter list"),
            ('CONTRACT = Contract(functions={"f": "x"}, cap=3)', "unexpected keyword"),
            ('CONTRACT = {"f": "x"}', "keyword arguments"),
            ('API = {"f": "x"}', "no CONTRACT")]:
        with pytest.raises(ContractError, match=message):
            read_contract(source, "t.py")


def test_helpers_report_changes_gradients_and_repeated_calls(tmp_path):
    from autograder.impl import LocalImpl, Lesson

    module = tmp_path / "m.py"
    module.write_text(
        "import torch\n"
        "def scale(x, k):\n    x.mul_(k)\n    return x.sum()\n"
        "def pure(x, k):\n    return (x * k).sum()\n"
        "def as_float(x, k):\n    return (x * k).sum().item()\n"
        "def step(p, lr):\n    p['w'] -= lr\n    return float(p['w'].sum())\n")
    lesson = Lesson(LocalImpl(module, "m"))
    x = torch.ones(3)
    assert lesson.helper("call_unmodified", "scale", [x, 1.0])["modified"] == ["x"]  # same values
    assert lesson.helper("call_unmodified", "pure", [x, 2.0])["modified"] == []
    got = lesson.helper("call_with_grad", "pure", [x, 2.0])
    assert got["graph"] and torch.equal(got["grads"][0], torch.full((3,), 2.0))
    assert lesson.helper("call_with_grad", "as_float", [x, 2.0])["graph"] is False
    out = lesson.helper("call_repeatedly", "step", [{"w": torch.zeros(2)}, 0.5], {}, 3)
    assert out["results"] == [-1.0, -2.0, -3.0] and torch.equal(out["args"][0]["w"],
                                                                torch.full((2,), -1.5))
