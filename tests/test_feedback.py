"""Feedback points at the student's mistake, never at the harness: every check of every
lesson, run against modules whose functions raise or return the wrong shape."""

from __future__ import annotations

import pytest

from autograder import contract
from support import LESSON_IDS, LESSONS, lesson_checks, run_lesson

each_lesson = pytest.mark.parametrize("info", LESSONS, ids=LESSON_IDS)

RAISES = "    raise ValueError('a mistake of the student')\n"
WRONG_SHAPE = "    return torch.zeros(1)\n"


def _module(info, body: str) -> str:
    table = contract.declared(info.checks.read_text(), info.checks.name)
    return "import torch\n\n" + "".join(f"\ndef {name}({contract.show(params)}):\n{body}"
                                        for name, params in table.items())


def _assert_student_facing(results, expect_raise: bool) -> None:
    # every TODO fails somewhere (a check of untouched inputs alone may pass)
    assert {r.todo for r in results if not r.passed} == {r.todo for r in results}
    for r in results:
        assert "autograder/" not in r.message and "Traceback" not in r.message, (r.name, r.message)
        assert "site-packages" not in r.message, (r.name, r.message)
        if expect_raise and r.status == "error":
            assert "raised ValueError: a mistake of the student" in r.message, r.message
            assert "hint: " in r.message and "line " in r.message, r.message


@each_lesson
def test_a_module_that_raises_gets_the_checks_hints(info, tmp_path):
    path = tmp_path / f"{info.module}.py"
    path.write_text(_module(info, RAISES))
    _assert_student_facing(run_lesson(info, path, lesson_checks(info, slow=False)), True)


@each_lesson
def test_a_module_that_returns_the_wrong_shape_is_told_so(info, tmp_path):
    path = tmp_path / f"{info.module}.py"
    path.write_text(_module(info, WRONG_SHAPE))
    _assert_student_facing(run_lesson(info, path, lesson_checks(info, slow=False)), False)
