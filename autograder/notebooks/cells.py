"""What a lesson notebook's own cells call: the check cells and the TODO placeholders.

A lesson notebook holds the lesson's module as cells; its check cells run the lesson's
checks (``lessons/NN/test_<module>.py``, through :mod:`autograder.runner`, the same
code ``pytest lessons/NN`` runs) against the functions defined in the notebook::

    LESSON = "03"
    checks = LessonChecks(LESSON, globals())
    ...
    checks.run(todo=2)          # a check cell: prints each check, fails like pytest

A released notebook replaces each solution with ``raise
NotImplementedError(todo_message())`` (nbgrader's code stub, set in the course's
nbgrader configuration); :func:`todo_message` names the TODO from the ``# TODO k:``
comment above it, so the message reads like the skeleton's.

This module is imported inside the student's kernel and, for notebook submissions,
inside the grading sandbox: it imports nothing but the standard library at import time.
"""

from __future__ import annotations

import contextlib
import linecache
import sys
import types
import warnings
from typing import TYPE_CHECKING, Any

from autograder.errors import AutograderError
from autograder.markers import todo_above

if TYPE_CHECKING:
    from autograder.lessons import LessonFolder

NOTEBOOK_NAME = "the notebook"


def todo_message() -> str:
    """The message of a TODO placeholder: ``lesson NN, TODO k: what to do``.

    Read from the caller's source: the nearest ``# TODO k: ...`` comment above the
    ``raise`` line with its continuation lines (:func:`autograder.markers.todo_above`),
    and the lesson number from the caller's global ``LESSON``. Falls back to a plain
    request to write the code.
    """
    frame = sys._getframe(1)
    lines = linecache.getlines(frame.f_code.co_filename, frame.f_globals)
    lesson = frame.f_globals.get("LESSON")
    prefix = f"lesson {lesson}, " if isinstance(lesson, str) else ""
    todo = todo_above(lines, min(frame.f_lineno, len(lines)) - 1, adjacent=False)
    if todo is not None:
        return f"{prefix}TODO {todo.number}: {todo.text}"
    return f"{prefix}replace this line with your code"


class _NamespaceModule(types.ModuleType):
    """A module whose attributes are looked up, live, in a notebook's globals."""

    def __init__(self, name: str, namespace: dict[str, Any]):
        super().__init__(name)
        object.__setattr__(self, "_namespace", namespace)

    def __getattr__(self, name: str) -> Any:
        try:
            return object.__getattribute__(self, "_namespace")[name]
        except KeyError:
            raise AttributeError(name) from None


class NotebookImpl:
    """The functions defined in a notebook, as an implementation for the runner.

    Behaves like :class:`autograder.impl.LocalImpl`: arguments and results cross as
    plain data (round-tripped through the codec), so a check sees the notebook's code
    exactly as it sees a module's.
    """

    device = "cpu"

    def __init__(self, namespace: dict[str, Any], filename: str = NOTEBOOK_NAME):
        self.module = _NamespaceModule("__notebook__", namespace)
        self.filename = filename
        self.description = filename

    def _run(self, kind: str, name: str, args: tuple, kwargs: dict) -> Any:
        from autograder import codec
        from autograder.impl import call_in_process

        args, kwargs = codec.roundtrip((tuple(args), dict(kwargs)))
        return codec.decode(call_in_process(self.module, self.filename, kind, name, args,
                                            kwargs, None))

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        return self._run("call", name, args, kwargs)

    def helper(self, name: str, args: tuple, kwargs: dict) -> Any:
        return self._run("helper", name, args, kwargs)

    def begin_check(self, seconds: float | None, end: float | None) -> None:
        """Code in the notebook's own kernel cannot be stopped from here: no limits."""

    def close(self) -> None:
        """Nothing to release: the notebook keeps its namespace."""


def find_lesson(number: str) -> LessonFolder:
    """The lesson's folder: the checkout's ``lessons/NN``, else the copy of its checks
    packaged with an installed course (``autograder/course_lessons/NN``)."""
    from autograder import PACKAGE_DIR
    from autograder.lessons import LESSONS_DIR, LessonError, lesson_in

    for folder in (LESSONS_DIR / number, PACKAGE_DIR / "course_lessons" / number):
        if folder.is_dir():
            return lesson_in(folder)
    raise LessonError(f"lesson {number} is not installed: neither {LESSONS_DIR / number} nor "
                      f"{PACKAGE_DIR / 'course_lessons' / number} exists. Reinstall the course.")


class ChecksFailed(AutograderError, AssertionError):
    """Some checks of a TODO failed (the messages are printed above)."""


class DataMissing(AutograderError, RuntimeError):
    """A TODO's checks could not run for want of their data: no score is given."""


def _plain_error(exc: BaseException, text: str) -> BaseException:
    """``exc`` shown by IPython as ``text`` alone: no traceback through the course's code."""
    lines = text.splitlines() or [type(exc).__name__]
    exc._render_traceback_ = lambda: ["\x1b[0;31m" + lines[0] + "\x1b[0m", *lines[1:]]
    exc.__cause__ = exc.__context__ = None
    exc.__suppress_context__ = True
    return exc


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


class LessonChecks:
    """A lesson's checks, run on the functions defined in a notebook's namespace."""

    def __init__(self, lesson: str, namespace: dict[str, Any], notebook: str | None = None):
        self.info = find_lesson(lesson)
        self.number = self.info.number
        self.namespace = namespace
        self.impl = NotebookImpl(namespace, notebook or f"{self.info.module}.ipynb")
        self._checks = None
        self._fixtures = None
        self.results: dict[str, Any] = {}  # check name -> its latest CheckResult

    @property
    def checks(self) -> list:
        """The lesson's checks (collected once, by the runner)."""
        if self._checks is None:
            from autograder.runner import FixtureCache, collect

            self._checks = collect(self.info.checks)
            self._fixtures = FixtureCache()
        return self._checks

    def run(self, todo: int) -> float | None:
        """Run the checks of one TODO and print each outcome as pytest would.

        Returns None when every check passes (full marks in nbgrader), the points earned
        when only some pass (nbgrader's partial credit), and raises when none passes: the
        TODO's NotImplementedError when that is what stopped them, else ChecksFailed. A
        check that could not run (its data is missing) is never scored: the cell raises
        DataMissing, loudly, whatever the others did.
        """
        from autograder.runner import run_checks
        from autograder.summary import plural

        mine = [c for c in self.checks if c.todo == todo]
        if not mine:
            raise _plain_error(LookupError(), f"LookupError: lesson {self.number} has no "
                                              f"checks for TODO {todo}")
        # nbgrader gives 0 to a test cell that writes to stderr: warnings and progress bars
        # of the student's code go to stdout instead
        with contextlib.redirect_stderr(sys.stdout), warnings.catch_warnings(record=True) as seen:
            results = run_checks(mine, self.impl, self._fixtures)
        for w in seen:
            print(f"warning: {w.category.__name__}: {w.message}")
        for r in results:
            self.results[r.name] = r
        ran = [r for r in results if r.ran]
        earned, total = sum(r.points for r in ran), sum(r.max_points for r in ran)
        passed = sum(1 for r in ran if r.passed)
        not_run = [r for r in results if not r.ran]
        extra = (f"; {plural(len(not_run), 'check')} "
                 f"({plural(sum(r.max_points for r in not_run), 'point')}) not run"
                 if not_run else "")
        print(f"lesson {self.number}, TODO {todo}: {earned}/{total} points "
              f"({passed}/{plural(len(ran), 'check')} passed){extra}")
        for r in results:
            mark = "passed" if r.passed else r.status.upper()
            print(f"  {mark:<7} {r.name} ({plural(r.max_points, 'point')})")
            if not r.passed:
                print(_indent(r.message, "      "))
        if not_run:
            raise _plain_error(DataMissing(not_run[0].message),
                               f"DataMissing: {plural(len(not_run), 'check')} of TODO {todo} "
                               f"could not run: {not_run[0].message.removeprefix('not run: ')}"
                               "\n  (they cost no points here; fetch the data, then run this "
                               "cell again: a grade is never given without them)")
        if passed == len(results):
            return None
        if passed:
            return float(earned)
        first = next(r for r in results if not r.passed)
        if first.exc_type == "NotImplementedError":
            text = first.message.removeprefix("NotImplementedError: ")
            raise _plain_error(NotImplementedError(text),
                               f"NotImplementedError: {text}\n  (replace the `raise "
                               "NotImplementedError(...)` line of that function with your code)")
        raise _plain_error(ChecksFailed(first.message),
                           f"ChecksFailed: TODO {todo}: no check passed; the first failure:\n"
                           f"{_indent(first.message, '  ')}")

    def summary(self) -> None:
        """The summary of the check cells run so far: the line pytest prints
        (:func:`autograder.summary.summarize`)."""
        from autograder.summary import summarize

        results = [self.results[c.name] for c in self.checks if c.name in self.results]
        print(summarize(self.info, results, sum(c.points for c in self.checks)).line())
