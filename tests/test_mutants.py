"""Typical student mistakes (mutants of the reference) are caught, with the hint naming them.

Each mutant is listed in tests/mutants/lessonNN.py as ``name: {todo, old, new, hint}``:
the reference solution with the text ``old`` replaced by ``new``. Optional keys: ``slow``
(also run the slow checks) and ``device`` (e.g. "strict", for mistakes about devices).
"""

from __future__ import annotations

import pytest

from support import load_mutants, run_edited

MUTANTS = load_mutants()


def test_at_least_five_mutants_per_lesson():
    from support import LESSONS

    for info in LESSONS:
        count = sum(1 for lesson, _, _ in MUTANTS if lesson.number == info.number)
        assert count >= 5, f"lesson {info.number} has {count} mutants"


@pytest.mark.parametrize("info,name,spec", MUTANTS,
                         ids=[f"{info.number}-{name}" for info, name, _ in MUTANTS])
def test_mutant_is_caught_with_its_hint(info, name, spec, tmp_path):
    # only the checks of the mistaken TODO: each mutant must be caught where it was made
    # (and the suite stays fast as lessons grow)
    results = run_edited(info, name, spec, tmp_path)
    failed = [r for r in results if not r.passed]
    assert failed, f"mutant {name} passes every check"
    assert all(r.exc_type != "NotImplementedError" for r in failed)
    assert any(spec["hint"] in r.message for r in failed), (
        f"no failure names the mistake ({spec['hint']!r}):\n"
        + "\n".join(f"{r.name}: {r.message}" for r in failed))
