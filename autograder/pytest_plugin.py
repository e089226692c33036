"""pytest plugin: ``pytest lessons/NN`` checks a lesson and reports its points.

Installed with the course (entry point ``pytest11``), it adds:

* the ``lesson`` fixture: the implementation under test, chosen by ``--impl``
  (``lessons``: the student's module next to the checks, the default; ``solutions``:
  the reference solution; or a path to a module file or a folder holding it);
* ``--device cpu|cuda|mps|strict`` to place the inputs (see ``autograder.impl``);
* the data fixtures of ``autograder.fixtures`` (``words``, ...);
* ``-k todo3`` selects the checks of TODO 3, and the summary prints each lesson's points.

A check runs on one CPU thread, as when graded (tiny models only lose time to more
threads, and far more when another program keeps a core busy), and the costly values
of its trusted computations are kept between runs (:func:`autograder.cache.on_disk`).

Checks run through :func:`autograder.runner.call_check`, the same code the grader and the
notebooks use, so a check's outcome and message are the same everywhere; the results
are kept on the pytest config (``config.stash``), not in module state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder import NOT_INSTALLED

try:
    import torch
except ImportError as exc:  # pytest found the plugin, but this Python lacks the course
    raise ImportError(f"{exc}. {NOT_INSTALLED}") from None

from autograder import fixtures as fixture_table
from autograder import summary
from autograder.cache import on_disk
from autograder.checking import one_thread
from autograder.contract import Contract
from autograder.impl import LocalImpl, Lesson
from autograder.lessons import LessonError, LessonFolder, lesson_in
from autograder.runner import (Check, CheckDefinitionError, CheckResult, MissingData,
                               call_check, validate)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("makemore-autograded")
    group.addoption("--impl", default="lessons", metavar="WHICH",
                    help="what the lesson checks run on: 'lessons' (your module, the default), "
                         "'solutions' (the reference) or a path to a module file or folder")
    group.addoption("--device", default="cpu", choices=("cpu", "cuda", "mps", "strict"),
                    help="device for the inputs of the lesson checks (strict: CPU inputs, "
                         "meta default device, to catch tensors created on the wrong device)")


@dataclass
class _Run:
    """What this pytest run checked, lesson by lesson."""

    infos: dict[str, LessonFolder] = field(default_factory=dict)
    lesson_points: dict[str, int] = field(default_factory=dict)  # all checks, before -k
    results: dict[str, dict[str, CheckResult]] = field(default_factory=dict)
    impls: dict[tuple[str, str], LocalImpl] = field(default_factory=dict)
    impl_names: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # lesson -> why none ran
    data_problems: dict[str, str] = field(default_factory=dict)
    module_args: list[Path] = field(default_factory=list)  # `pytest lessons/03/embedding.py`
    contracts: dict[Path, Contract] = field(default_factory=dict)  # check file -> its contract


RUN = pytest.StashKey[_Run]()


def pytest_configure(config: pytest.Config) -> None:
    run = _Run()
    for arg in config.args:
        path = Path(str(arg).split("::")[0])
        if path.suffix == ".py" and not path.name.startswith("test_"):
            try:
                info = lesson_in(path.resolve().parent)
            except LessonError:
                continue
            if path.stem == info.module:
                run.module_args.append(path)
    config.stash[RUN] = run


def _lesson_of(item: pytest.Item) -> LessonFolder | None:
    fn = getattr(item, "function", None)
    if fn is None or not hasattr(fn, "ag_check"):
        return None
    try:
        return lesson_in(Path(str(item.fspath)).parent)
    except LessonError:
        return None


def _impl_path(info: LessonFolder, which: str, invocation_dir: Path) -> Path:
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


@pytest.fixture
def lesson(request: pytest.FixtureRequest) -> Lesson:
    """The implementation under test (see ``--impl``)."""
    run = request.config.stash[RUN]
    info = lesson_in(Path(str(request.node.fspath)).parent)
    which = request.config.getoption("--impl")
    device = request.config.getoption("--device")
    if device == "cuda" and not torch.cuda.is_available():
        run.skipped[info.number] = "skipped: no CUDA device on this machine (--device cuda)"
        pytest.skip("--device cuda: no CUDA device is available on this machine")
    if device == "mps" and not (hasattr(torch.backends, "mps")
                                and torch.backends.mps.is_available()):
        run.skipped[info.number] = "skipped: no MPS device on this machine (--device mps)"
        pytest.skip("--device mps: no MPS device is available on this machine")
    path = _impl_path(info, which, Path(request.config.invocation_params.dir))
    if not path.is_file():
        run.skipped[info.number] = f"not run: --impl {which}: {path} does not exist"
        pytest.fail(f"--impl {which}: {path} does not exist (lesson {info.number} "
                    f"expects a file named {info.module}.py)", pytrace=False)
    if which != "lessons":
        run.impl_names[info.number] = f"--impl {which}: {path}"
    key = (str(path), device)
    if key not in run.impls:
        run.impls[key] = LocalImpl(path, info.module, device=device)
    return Lesson(run.impls[key], run.contracts.get(Path(str(request.node.fspath))))


def _make_fixture(name: str):
    factory = fixture_table.FIXTURES[name]

    def fixture(request: pytest.FixtureRequest):
        from autograder.data import DataError

        try:
            return factory()
        except DataError as exc:
            request.config.stash[RUN].data_problems.setdefault(name, str(exc))
            return MissingData(f"not run: the data is not available ({name}; see the summary)")

    fixture.__doc__ = factory.__doc__
    return pytest.fixture(scope="session", name=name)(fixture)


for _name in fixture_table.FIXTURES:
    globals()[f"_fixture_{_name}"] = _make_fixture(_name)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Runs before ``-k`` deselects anything: count each lesson's points, read and check
    each lesson's contract."""
    run = config.stash[RUN]
    validated: set[Path] = set()
    for item in items:
        info = _lesson_of(item)
        if info is None:
            continue
        check = item.function.ag_check
        item.extra_keyword_matches.add(f"todo{check.todo}")
        if check.slow:
            item.add_marker(pytest.mark.slow)
        run.infos[info.number] = info
        run.lesson_points[info.number] = run.lesson_points.get(info.number, 0) + check.points
        path = Path(str(item.fspath))
        if path not in validated:
            validated.add(path)
            try:
                run.contracts[path] = validate(path)
            except CheckDefinitionError as exc:
                raise pytest.UsageError(f"lesson {info.number}'s checks break the rules:\n{exc}")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    info = _lesson_of(pyfuncitem)
    if info is None:
        return None
    run = pyfuncitem.config.stash[RUN]
    fn = pyfuncitem.function
    params = tuple(pyfuncitem._fixtureinfo.argnames)
    check = Check(pyfuncitem.name, fn, fn.ag_check, params)
    kwargs = {p: pyfuncitem.funcargs[p] for p in params}
    with on_disk(), one_thread():  # as graded: one thread; costly expectations made once
        result = call_check(check, kwargs, info.todos())
    run.results.setdefault(info.number, {})[pyfuncitem.nodeid] = result
    if not result.ran:
        pytest.skip(result.message)
    if result.import_failed:
        pytest.fail(f"not run: {result.file} could not be imported (see the summary)",
                    pytrace=False)
    if not result.passed:
        pytest.fail(result.message, pytrace=False)
    return True


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    run = config.stash[RUN]
    write = terminalreporter.write_line
    for path in run.module_args:
        info = lesson_in(path.resolve().parent)
        write(f"{path.name} is your module; its checks are in test_{info.module}.py. "
              f"Run:  pytest lessons/{info.number}", bold=True)
    if not run.infos:
        return
    terminalreporter.section("makemore, autograded")
    for number in sorted(run.infos):
        info = run.infos[number]
        results = list(run.results.get(number, {}).values())
        if not results and number in run.skipped:
            write(f"lesson {number}: {run.skipped[number]}", bold=True, yellow=True)
            continue
        if not results:
            continue
        result = summary.summarize(info, results, run.lesson_points.get(number),
                                   run.impl_names.get(number))
        done = all(r.passed for r in results)
        write(result.line(), bold=True, green=done, red=not done)
        broken = summary.import_failed(results)
        if broken is not None:
            write(f"  no check of this lesson could run: {broken.file} did not import", red=True)
    for name, problem in sorted(run.data_problems.items()):
        write(f"\nThe {name!r} data is not available, so the checks that need it were not run "
              f"(they cost you no points):\n{problem}\nFix: run  autograder data fetch  (or "
              "autograder data fetch --from DIR  with a folder holding the files).",
              yellow=True)
