"""Correct but unusual programs pass every check of their TODO.

tests/alternatives/lessonNN.py lists them in the format of the mutant catalogue
(``name: {todo, old, new}``, optional ``slow`` and ``device``): the reference solution
with ``old`` replaced by ``new``. Checks that reject valid code (vectorised or
functional versions, float64 inside, F.embedding, index_select, gather, logsumexp, a
deque window, unfold, ...) fail here.
"""

from __future__ import annotations


import pytest

from support import load_catalogue, run_edited


ALTERNATIVES = load_catalogue("alternatives", "ALTERNATIVES")


@pytest.mark.parametrize("info,name,spec", ALTERNATIVES,
                         ids=[f"{info.number}-{name}" for info, name, _ in ALTERNATIVES])
def test_alternative_passes_every_check_of_its_todo(info, name, spec, tmp_path):
    results = run_edited(info, name, spec, tmp_path)
    failed = [f"{r.name}: {r.status}\n{r.message}" for r in results if not r.passed]
    assert not failed, f"the valid alternative {name} fails:\n" + "\n".join(failed)
