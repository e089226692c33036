"""pytest plugin: ``pytest lessons/NN`` checks a lesson and reports its points.

Installed with the course (entry point ``pytest11``), it adds:

* the ``lesson`` fixture: the implementation under test, chosen by ``--impl``
  (``lessons``: the student's module next to the checks, the default; ``solutions``:
  the reference solution; or a path to a module file or a folder holding it);
* ``--device cpu|cuda|mps|strict`` to place the inputs (see ``autograder.impl``);
* the data fixtures of ``autograder.fixtures`` (``words``, ...);
* ``-k todo3`` selects the checks of TODO 3, and the summary prints each lesson's points.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from autograder import fixtures as fixture_table
from autograder.checking import CheckFailure
from autograder.impl import LocalImpl, Lesson
from autograder.lessons import LessonError, LessonInfo, lesson_in


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("makemore-autograded")
    group.addoption("--impl", default="lessons", metavar="WHICH",
                    help="what the lesson checks run on: 'lessons' (your module, the default), "
                         "'solutions' (the reference) or a path to a module file or folder")
    group.addoption("--device", default="cpu", choices=("cpu", "cuda", "mps", "strict"),
                    help="device for the inputs of the lesson checks (strict: CPU inputs, "
                         "meta default device, to catch tensors created on the wrong device)")


def _impl_path(info: LessonInfo, which: str, invocation_dir: Path) -> Path:
    if which == "lessons":
        return info.skeleton
    if which == "solutions":
        return info.solution
    path = Path(which)
    if not path.is_absolute():
        path = invocation_dir / path
    if path.is_dir():
        path = path / f"{info.module}.py"
    return path


class _State:
    def __init__(self) -> None:
        self.impls: dict[tuple[str, str], LocalImpl] = {}
        self.results: dict[str, dict[str, tuple[int, int, bool, int]]] = {}


_STATE = _State()


def _lesson_of(item: pytest.Item) -> LessonInfo | None:
    fn = getattr(item, "function", None)
    if fn is None or not hasattr(fn, "ag_check"):
        return None
    try:
        return lesson_in(Path(str(item.fspath)).parent)
    except LessonError:
        return None


@pytest.fixture
def lesson(request: pytest.FixtureRequest) -> Lesson:
    """The implementation under test (see ``--impl``)."""
    info = lesson_in(Path(str(request.node.fspath)).parent)
    which = request.config.getoption("--impl")
    device = request.config.getoption("--device")
    if device == "cuda" and not torch.cuda.is_available():
        pytest.skip("--device cuda: no CUDA device is available on this machine")
    if device == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        pytest.skip("--device mps: no MPS device is available on this machine")
    path = _impl_path(info, which, Path(request.config.invocation_params.dir))
    if not path.is_file():
        pytest.fail(f"--impl {which}: {path} does not exist (lesson {info.number} "
                    f"expects a file named {info.module}.py)", pytrace=False)
    key = (str(path), device)
    if key not in _STATE.impls:
        _STATE.impls[key] = LocalImpl(path, info.module, device=device)
    return Lesson(_STATE.impls[key])


def _make_fixture(name: str):
    factory = fixture_table.FIXTURES[name]

    def fixture():
        return factory()

    fixture.__doc__ = factory.__doc__
    return pytest.fixture(scope="session", name=name)(fixture)


for _name in fixture_table.FIXTURES:
    globals()[f"_fixture_{_name}"] = _make_fixture(_name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fn = getattr(item, "function", None)
        info = getattr(fn, "ag_check", None)
        if info is not None:
            item.extra_keyword_matches.add(f"todo{info.todo}")
            if info.slow:
                item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(CheckFailure):
        report.longrepr = str(call.excinfo.value)  # the teaching message, without code dump
    elif call.excinfo is not None and call.excinfo.type is NotImplementedError:
        entry = call.excinfo.traceback[-1]  # the skeleton's raise: name the TODO, skip the rest
        report.longrepr = (f"{call.excinfo.exconly()}\n  (raised at {entry.path}:{entry.lineno + 1}:"
                           " replace that line with your code)")
    info = _lesson_of(item)
    if info is None:
        return
    check = item.function.ag_check
    if report.when == "call" or (report.when == "setup" and not report.passed):
        passed = report.passed and report.when == "call"
        lesson_results = _STATE.results.setdefault(info.number, {})
        lesson_results[item.nodeid] = (check.points if passed else 0, check.points, passed,
                                       check.todo)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _STATE.results:
        return
    terminalreporter.section("makemore, autograded")
    for number in sorted(_STATE.results):
        rows = _STATE.results[number].values()
        earned = sum(r[0] for r in rows)
        total = sum(r[1] for r in rows)
        passed = sum(1 for r in rows if r[2])
        line = f"lesson {number}: {earned}/{total} points ({passed}/{len(rows)} checks passed)"
        failing = sorted({r[3] for r in rows if not r[2]})
        if failing:
            try:
                from autograder.lessons import get_lesson

                todo_text = get_lesson(number).todos().get(failing[0], "")
            except (LessonError, OSError):
                todo_text = ""
            line += f"; next: TODO {failing[0]}" + (f": {todo_text}" if todo_text else "")
        terminalreporter.write_line(line, bold=True, green=not failing, red=bool(failing))
