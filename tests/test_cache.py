"""autograder.cache (costly trusted values made once) and the checks' use of it."""

from __future__ import annotations

import pytest
import torch

from autograder import cache
from autograder.checking import expect_started, names_dataset, names_splits
from autograder.given.lesson01_bigram import build_vocab
from autograder.given.lesson02_dataset import build_dataset
from autograder.given.lesson08_splits import split_datasets
from autograder.impl import SubmissionCrash, SubmissionError
from support import _FIXTURES, LESSON_IDS, LESSONS, lesson_checks, run_lesson

CALLS: list[tuple] = []


@cache.expensive
def _made(n: int, words: tuple[str, ...]) -> dict:
    CALLS.append((n, words, torch.get_num_threads()))
    return {"x": torch.arange(n, dtype=torch.float32), "words": list(words), "n": n}


@pytest.fixture
def fresh(monkeypatch):
    """No value made yet in this process, and no calls counted."""
    monkeypatch.setattr(cache, "_values", {})
    CALLS.clear()


def test_a_value_is_made_once_per_arguments_on_one_thread(fresh):
    before = torch.get_num_threads()
    first = _made(3, ("ab", "c"))
    assert _made(3, ["ab", "c"]) is first  # a list of words names the same value as a tuple
    assert len(CALLS) == 1 and CALLS[0][2] == 1
    assert torch.get_num_threads() == before
    _made(4, ("ab", "c"))
    assert len(CALLS) == 2


def test_on_disk_a_later_process_reads_the_value(fresh, tmp_path, monkeypatch):
    with cache.on_disk(tmp_path):
        value = _made(5, ("x",))
    files = list(tmp_path.glob("_made-*.pt"))
    assert len(files) == 1 and len(CALLS) == 1
    monkeypatch.setattr(cache, "_values", {})  # as in a new process
    with cache.on_disk(tmp_path):
        again = _made(5, ("x",))
    assert len(CALLS) == 1  # read, not made
    assert torch.equal(again["x"], value["x"]) and again["words"] == ["x"] and again["n"] == 5
    monkeypatch.setattr(cache, "_values", {})
    _made(5, ("x",))  # outside on_disk: made in memory, the file is not read
    assert len(CALLS) == 2


def test_a_damaged_file_is_made_again_and_other_sources_replace_the_file(fresh, tmp_path,
                                                                         monkeypatch):
    with cache.on_disk(tmp_path):
        _made(2, ())
    (path,) = tmp_path.glob("_made-*.pt")
    path.write_bytes(b"not a torch file")
    monkeypatch.setattr(cache, "_values", {})
    with cache.on_disk(tmp_path):
        assert torch.equal(_made(2, ())["x"], torch.arange(2.0))
    assert len(CALLS) == 2 and path.exists()
    # another version of the sources: a new file replaces the old one
    monkeypatch.setattr(cache, "_values", {})
    monkeypatch.setattr(cache, "_sources", lambda *functions: "other sources")
    with cache.on_disk(tmp_path):
        _made(2, ())
    (newer,) = tmp_path.glob("_made-*.pt")
    assert newer != path and len(CALLS) == 3


def test_arguments_must_be_plain_data(fresh):
    with pytest.raises(TypeError, match="plain data"):
        _made(object(), ())


def test_names_datasets_are_the_reference_code_s(fresh):
    words = _FIXTURES.get("words")
    stoi, _ = build_vocab(list(words))
    X, Y = names_dataset(words, build_vocab, build_dataset, 4, 100)
    want_X, want_Y = build_dataset(list(words[:100]), 4, stoi)
    assert torch.equal(X, want_X) and torch.equal(Y, want_Y)
    parts = names_splits(words, build_vocab, split_datasets)
    assert [len(parts[k][1]) for k in ("train", "dev", "test")] == [182625, 22655, 22866]


class _Lesson:
    def __init__(self, exc: Exception | None):
        self.exc, self.calls = exc, 0

    def f(self):
        self.calls += 1
        if self.exc is not None:
            raise self.exc
        return 1


@pytest.mark.parametrize("exc, passes", [
    (SubmissionError("NotImplementedError", "lesson 01, TODO 1: ..."), True),
    (SubmissionError("MissingFunction", "no function f()"), True),
    (SubmissionCrash("Timeout", "the code ran too long"), True),
    (SubmissionError("ValueError", "a wrong answer on the small input"), False),
    (None, False),
])
def test_expect_started_ends_the_check_only_for_a_todo_not_started(exc, passes):
    lesson = _Lesson(exc)
    if passes:
        with pytest.raises(type(exc)):
            expect_started(lambda: lesson.f())
    else:
        expect_started(lambda: lesson.f())  # the check's own calls judge the rest
    assert lesson.calls == 1


@pytest.mark.parametrize("info", LESSONS, ids=LESSON_IDS)
def test_the_skeleton_makes_no_costly_value(info, fresh):
    """A check of a TODO not done yet fails before it trains or builds a dataset."""
    results = run_lesson(info, info.skeleton, lesson_checks(info))
    assert all(r.exc_type == "NotImplementedError" for r in results)
    assert not cache._values, f"made for the skeleton: {sorted(cache._values)}"
