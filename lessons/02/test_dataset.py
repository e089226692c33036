"""Checks for lesson 02 (dataset.py). Run them with:  pytest lessons/02"""

from __future__ import annotations

import functools

import torch

from autograder.cache import expensive
from autograder.checking import (check, diagnose, expect, expect_equal, expect_started,
                                 expect_tensor, expect_unmodified, hints_on_error)
from autograder.contract import Contract

# What the checks may call, with the parameters, and what grading needs to know
# (autograder.contract).
CONTRACT = Contract(
    functions={
        "build_dataset": "words, block_size, stoi",
    },
)


STOI = {ch: i for i, ch in enumerate(".abcdefghijklmnopqrstuvwxyz")}
FIVE = ["emma", "olivia", "ava", "isabella", "sophia"]

# "emma" with block_size 3: the contexts ... ..e .em emm mma and the targets e m m a .
EMMA_X = [[0, 0, 0], [0, 0, 5], [0, 5, 13], [5, 13, 13], [13, 13, 1]]
EMMA_Y = [5, 13, 13, 1, 0]

END_TOKEN = ("every word also gives one example whose target is the end token '.': loop over "
             "word + '.', not just the word")
PADDING = "X[0] should be all dots: the context of a word starts as block_size zeros"
OFF_BY_ONE = ("off-by-one in the rolling window: append (context, ix) to X and Y first, then "
              "roll the context (drop the oldest index, append ix)")
WRONG_END = ("the window drops the wrong end: the new context is context[1:] + [ix], the oldest "
             "index leaves on the left")


def windows(words: list[str], block_size: int, *, end: bool = True, pad: int = 0,
            shift: int = 0, stoi: dict[str, int] = STOI) -> tuple[torch.Tensor, torch.Tensor]:
    """The examples computed another way: every window of each padded index sequence.

    ``end``, ``pad`` and ``shift`` reproduce typical mistakes: no end token, padding with
    another index than '.', and a window that is ``shift`` characters ahead of the target.
    """
    made = _windows if len(words) <= 1000 else _many_windows  # names.txt's: kept between runs
    return made(tuple(words), block_size, end, pad, shift, tuple(stoi.items()))


def _windows(words: tuple[str, ...], block_size: int, end: bool, pad: int,
             shift: int, stoi_items: tuple) -> tuple[torch.Tensor, torch.Tensor]:
    stoi = dict(stoi_items)
    xs, ys = [], []
    for w in words:
        seq = [pad] * block_size + [stoi[ch] for ch in w] + ([0] if end else []) + [0] * shift
        targets = seq[block_size:len(seq) - shift]
        xs.extend(seq[k + shift:k + shift + block_size] for k in range(len(targets)))
        ys.extend(targets)
    return (torch.tensor(xs, dtype=torch.int64).reshape(len(ys), block_size),
            torch.tensor(ys, dtype=torch.int64))


_many_windows = expensive(_windows)
_windows = functools.lru_cache(maxsize=16)(_windows)


def _expect_examples(X: torch.Tensor, Y: torch.Tensor, words: list[str], block_size: int,
                     what: str, default: str) -> None:
    """X and Y must equal the windows of ``words``; a wrong X is matched to known mistakes."""
    expected_x, expected_y = windows(words, block_size)
    if not torch.equal(X, expected_x):
        context = ([0] * block_size + [STOI[ch] for ch in words[0]])
        newest_dropped = torch.tensor([context[:block_size - 1] + [ix]
                                       for ix in [0] + context[block_size:]])
        hint = diagnose(X, [
            (windows(words, block_size, end=False)[0], END_TOKEN),
            (windows(words, block_size, pad=1)[0], PADDING),
            (windows(words, block_size, shift=1)[0], OFF_BY_ONE),
        ], default=default)
        if block_size > 1 and torch.equal(X[:len(newest_dropped)], newest_dropped):
            hint = WRONG_END
        expect_equal(X, expected_x, f"X of {what}", hint=hint)
    expect_equal(Y, expected_y, f"Y of {what}",
                 hint="Y[k] is the index of the character that follows the context X[k]; "
                      "the last target of every word is '.' (0)")


def _build(lesson, words: list[str], block_size: int, what: str):
    fixed = f"build X and Y from contexts of length block_size (here {block_size}), not a fixed 3"
    with hints_on_error(what, [(r"KeyError", OWN_STOI), (r"shape|size|view", fixed)],
                        default="start each word with context = [0] * block_size, look every "
                                "character up in stoi, and add one example per character "
                                "of word + '.'"):
        X, Y = lesson.build_dataset(words, block_size, STOI)
    return X, Y


def _expect_shapes(X, Y, words: list[str], block_size: int, what: str) -> None:
    n = sum(len(w) + 1 for w in words)
    short = isinstance(X, torch.Tensor) and X.dim() > 0 and X.shape[0] == n - len(words)
    expect_tensor(X, f"X of {what}", shape=(n, block_size), dtype=torch.int64,
                  hint=END_TOKEN if short else
                  f"one row of block_size = {block_size} indices per example (a word of k "
                  "letters gives k + 1 examples), made with torch.tensor(X, dtype=torch.int64): "
                  "indices must be integers to pick rows of C later")
    expect_tensor(Y, f"Y of {what}", shape=(n,), dtype=torch.int64,
                  hint="one int64 target per example")


# --------------------------------------------------------------------------- TODO 1

@check(todo=1, points=2)
def test_build_dataset_emma(lesson):
    what = "build_dataset(['emma'], 3, stoi)"
    X, Y = _build(lesson, ["emma"], 3, what)
    _expect_shapes(X, Y, ["emma"], 3, what)
    _expect_examples(X, Y, ["emma"], 3, what + ": rows ..., ..e, .em, emm, mma; targets e m m a .",
                     default="X[k] holds the 3 characters before Y[k]")
    expect_equal(X, torch.tensor(EMMA_X), f"X of {what}")
    expect_equal(Y, torch.tensor(EMMA_Y), f"Y of {what}")


@check(todo=1, points=1)
def test_build_dataset_five_words(lesson):
    what = "build_dataset('emma olivia ava isabella sophia'.split(), 3, stoi)"
    X, Y = _build(lesson, FIVE, 3, what)
    _expect_shapes(X, Y, FIVE, 3, what + " (32 examples)")
    _expect_examples(X, Y, FIVE, 3, what, default="each word starts again from an all-dot "
                                                  "context")


@check(todo=1, points=2)
def test_build_dataset_other_block_sizes(lesson):
    for block_size in (1, 4, 5):
        what = f"build_dataset(['emma', 'ava'], {block_size}, stoi)"
        X, Y = _build(lesson, ["emma", "ava"], block_size, what)
        _expect_shapes(X, Y, ["emma", "ava"], block_size, what)
        _expect_examples(X, Y, ["emma", "ava"], block_size, what,
                         default="the context starts as block_size dots and rolls by one "
                                 "character per example")


@check(todo=1, points=2)
def test_build_dataset_names(lesson, words):
    expect_started(lambda: lesson.build_dataset(["emma"], 3, STOI))
    what = "build_dataset(names.txt, 3, stoi)"
    X, Y = _build(lesson, words, 3, what)
    _expect_shapes(X, Y, words, 3, what + " (228146 examples)")
    starts = int((X == 0).all(1).sum())
    expect(starts == 32033, "contexts that are all dots (one per name)", expected=32033,
           got=starts, hint=PADDING)
    ends = int((Y == 0).sum())
    expect(ends == 32033, "targets that are '.' (one per name)", expected=32033, got=ends,
           hint=END_TOKEN)
    _expect_examples(X, Y, words, 3, what, default="compare your first rows with the 'emma' "
                                                   "example: ..., ..e, .em, emm, mma")


# A vocabulary other than names.txt's: the checks must not assume 'a' is 1.
STOI_ZYX = {".": 0, "z": 1, "y": 2, "x": 3}
OWN_STOI = "look every character up in the stoi you are given: stoi[ch], not a fixed a-z"
EMPTY = ("no words give no examples: X of shape (0, block_size) and Y of shape (0,); "
         "torch.tensor([]) alone has shape (0,), reshape it to (len(Y), block_size)")


@check(todo=1, points=1)
def test_build_dataset_other_vocabulary_and_no_words(lesson):
    words = ["xyz", "zy"]
    what = "build_dataset(['xyz', 'zy'], 2, {'.': 0, 'z': 1, 'y': 2, 'x': 3})"
    with hints_on_error(what, [], default=OWN_STOI):
        result = expect_unmodified(
            lesson, "build_dataset", [words, 2, STOI_ZYX],
            what=f"{what} leaves its arguments unchanged",
            hint="build_dataset changed its words or stoi: add the end token to a copy "
                 "(for ch in w + '.'), never to the list you are given")
    X, Y = result
    expected_x, expected_y = windows(words, 2, stoi=STOI_ZYX)
    expect_tensor(X, f"X of {what}", shape=(7, 2), dtype=torch.int64)
    expect_equal([X, Y], [expected_x, expected_y], f"X and Y of {what}", hint=OWN_STOI)
    for block_size in (3, 1):
        what = f"build_dataset([], {block_size}, stoi)"
        X, Y = lesson.build_dataset([], block_size, STOI)
        expect_tensor(X, f"X of {what}", shape=(0, block_size), dtype=torch.int64, hint=EMPTY)
        expect_tensor(Y, f"Y of {what}", shape=(0,), dtype=torch.int64, hint=EMPTY)
