"""Correct but unusual programs pass every check of their TODO.

tests/alternatives/lessonNN.py lists them in the format of the mutant catalogue
(``name: {todo, old, new}``, optional ``slow`` and ``device``): the reference solution
with ``old`` replaced by ``new``. Checks that reject valid code (vectorised or
functional versions, float64 inside, F.embedding, index_select, gather, logsumexp, a
deque window, unfold, ...) fail here.
"""

from __future__ import annotations

import importlib.util

import pytest

from autograder import REPO_ROOT
from support import LESSONS, lesson_checks, run_lesson


def _load() -> list[tuple]:
    by_number = {info.number: info for info in LESSONS}
    found = []
    for path in sorted((REPO_ROOT / "tests" / "alternatives").glob("lesson[0-9][0-9].py")):
        spec = importlib.util.spec_from_file_location(f"_alternatives_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        info = by_number[path.stem[len("lesson"):]]
        found.extend((info, name, fields) for name, fields in module.ALTERNATIVES.items())
    return found


ALTERNATIVES = _load()


@pytest.mark.parametrize("info,name,spec", ALTERNATIVES,
                         ids=[f"{info.number}-{name}" for info, name, _ in ALTERNATIVES])
def test_alternative_passes_every_check_of_its_todo(info, name, spec, tmp_path):
    source = info.solution.read_text()
    assert source.count(spec["old"]) == 1, f"{name}: 'old' must occur exactly once"
    program = tmp_path / f"{info.module}.py"
    program.write_text(source.replace(spec["old"], spec["new"]))
    checks = lesson_checks(info, slow=spec.get("slow", False), todo=spec["todo"])
    assert checks, f"lesson {info.number} has no checks for TODO {spec['todo']}"
    results = run_lesson(info, program, checks, device=spec.get("device", "cpu"))
    failed = [f"{r.name}: {r.status}\n{r.message}" for r in results if not r.passed]
    assert not failed, f"the valid alternative {name} fails:\n" + "\n".join(failed)
