"""Checks for lesson 08 (splits.py). Run them with:  pytest lessons/08"""

from __future__ import annotations

import functools
import math
import random

import torch
import torch.nn.functional as F

from autograder.cache import expensive
from autograder.checking import (SEED, check, diagnose, expect, expect_close, expect_equal,
                                 expect_started, expect_tensor, expect_type, expect_unmodified,
                                 generator, hint_on_error)
from autograder.given.lesson01_bigram import build_vocab
from autograder.given.lesson02_dataset import build_dataset
from autograder.given.lesson06_training import forward, init_params, train
from autograder.contract import Contract

# What the checks may call, with the parameters, and what grading needs to know
# (autograder.contract).
CONTRACT = Contract(
    functions={
        "split_words":    "words, seed=42",
        "split_datasets": "words, block_size, stoi, seed=42",
        "evaluate":       "params, X, Y",
        "fit_verdict":    "train_loss, dev_loss, tolerance=0.1",
    },
)

# Ten words over the vocabulary '.', 'A', 'B', 'C' (not a-z), and their shuffles.
WORDS10 = ["AB", "C", "BCA", "A", "CCB", "BA", "CAB", "B", "AAC", "CB"]
SHUFFLED10 = {42: ["B", "A", "BCA", "AAC", "BA", "CAB", "CB", "CCB", "AB", "C"],
              7: ["AAC", "A", "C", "CCB", "B", "AB", "CB", "CAB", "BCA", "BA"]}
STOI_ABC = {".": 0, "A": 1, "B": 2, "C": 3}

NAMES_SIZES = (25626, 3203, 3204)
NAMES_EXAMPLES = (182625, 22655, 22866)
NAMES_FIRST = ["yuheng", "diondre", "xavien", "jori", "juanluis"]
SPLITS = ("train", "dev", "test")

SHUFFLE_COPY = ("random.shuffle(words) shuffles the caller's list in place: shuffle a copy, "
                "shuffled = list(words)")
SEED_IGNORED = ("shuffle with random.Random(seed), the seed that was passed in, not a fixed 42 "
                "or the global random module")
CUTS = ("cut at n1 = int(0.8 * n) and n2 = int(0.9 * n): train = shuffled[:n1], dev = "
        "shuffled[n1:n2], test = shuffled[n2:]")
NO_GRAPH = ("evaluate only reads the model: compute the loss under torch.no_grad() and return "
            "loss.item(), a Python float")


def _cut(shuffled: list[str]) -> tuple[list[str], list[str], list[str]]:
    n1, n2 = int(0.8 * len(shuffled)), int(0.9 * len(shuffled))
    return shuffled[:n1], shuffled[n1:n2], shuffled[n2:]


def _expect_three_lists(got, what: str) -> None:
    expect(isinstance(got, (tuple, list)) and len(got) == 3
           and all(isinstance(part, list) for part in got), what,
           expected="a tuple of three lists (train, dev, test)", got=got,
           hint="return train, dev, test: three lists of words")


def _split_hint(got, words: list[str], shuffled: list[str]) -> str:
    """Name the mistake that gives the split ``got`` of ``words``, if it is a known one."""
    n = len(words)
    hint = diagnose(list(got), [
        (list(_cut(list(words))), "shuffle a copy of the words before cutting it: "
                                  "random.Random(seed).shuffle(shuffled)"),
        ([shuffled[:round(0.8 * n)], shuffled[round(0.8 * n):round(0.9 * n)],
          shuffled[round(0.9 * n):]], "round down with int(0.8 * n), int(0.9 * n), not round()"),
        ([shuffled[:int(0.8 * n)], shuffled[int(0.9 * n):], shuffled[int(0.8 * n):int(0.9 * n)]],
         "return the parts in the order train, dev, test"),
    ])
    if hint is None and [len(p) for p in got] == [len(p) for p in _cut(shuffled)] \
            and sorted(got[0] + got[1] + got[2]) == sorted(words):
        hint = "the words are in another order than random.Random(seed)'s shuffle: " + SEED_IGNORED
    return hint or CUTS


# --------------------------------------------------------------------------- TODO 1

@check(todo=1, points=2)
def test_split_words_small(lesson):
    what = "split_words(words, 42) with 10 words over 'A', 'B', 'C'"
    with hint_on_error(what, CUTS):
        got = lesson.split_words(list(WORDS10), 42)
    _expect_three_lists(got, what)
    expected = _cut(SHUFFLED10[42])
    expect_equal([len(part) for part in got], [8, 1, 1], f"{what}: sizes of train, dev, test",
                 hint=CUTS)
    expect_equal(list(got), list(expected), f"{what}: the parts of random.Random(42)'s shuffle",
                 hint=_split_hint(got, WORDS10, SHUFFLED10[42]))
    for words, sizes in (([], [0, 0, 0]), (["AB", "C", "BCA"], [2, 0, 1]), (["A"], [0, 0, 1])):
        what = f"split_words({words}, 42)"
        with hint_on_error(what, "an empty or short list is allowed: " + CUTS):
            got = lesson.split_words(list(words), 42)
        _expect_three_lists(got, what)
        expect_equal([len(part) for part in got], sizes, f"{what}: sizes of train, dev, test",
                     hint=CUTS)
        expect_equal(sorted(got[0] + got[1] + got[2]), sorted(words),
                     f"{what}: every word in exactly one part", hint=CUTS)


@check(todo=1, points=2)
def test_split_words_seeds(lesson):
    for seed in (7, 42):
        what = f"split_words(words, seed={seed}) with 10 words over 'A', 'B', 'C'"
        got = lesson.split_words(list(WORDS10), seed=seed)
        _expect_three_lists(got, what)
        hint = _split_hint(got, WORDS10, SHUFFLED10[seed])
        if seed != 42 and list(got) == list(_cut(SHUFFLED10[42])):
            hint = SEED_IGNORED
        expect_equal(list(got), list(_cut(SHUFFLED10[seed])),
                     f"{what}: the parts of random.Random({seed})'s shuffle", hint=hint)


@check(todo=1, points=1)
def test_split_words_leaves_words_unchanged(lesson):
    # call_repeatedly hands back the list as it is after the call (call_unmodified
    # compares tensors and lengths, not the order of strings)
    after = lesson.helper("call_repeatedly", "split_words", [list(WORDS10), 42])["args"][0]
    expect_equal(after, WORDS10, "split_words(words, 42): the caller's words afterwards, "
                                 "in their order", hint=SHUFFLE_COPY)


@check(todo=1, points=2)
def test_split_words_names(lesson, words):
    expect_started(lambda: lesson.split_words(list(WORDS10), 42))
    what = "split_words(names.txt, 42)"
    got = lesson.split_words(list(words), 42)
    _expect_three_lists(got, what)
    shuffled = list(words)
    random.Random(42).shuffle(shuffled)
    expect_equal(tuple(len(part) for part in got), NAMES_SIZES,
                 f"{what}: sizes of train, dev, test", hint=_split_hint(got, words, shuffled))
    hint = _split_hint(got, words, shuffled)
    expect_equal(got[0][:5], NAMES_FIRST, f"{what}: the first five training words",
                 hint=hint if hint != CUTS else SEED_IGNORED)
    expect_equal(list(got), list(_cut(shuffled)), f"{what}: the three parts", hint=hint)


# --------------------------------------------------------------------------- TODO 2

def _expect_splits(got, what: str, block_size: int) -> None:
    expect(isinstance(got, dict) and set(got) == set(SPLITS), what,
           expected="a dict with the keys 'train', 'dev', 'test'",
           got=sorted(got) if isinstance(got, dict) else got,
           hint='return {"train": (X, Y), "dev": (X, Y), "test": (X, Y)}')
    for name in SPLITS:
        pair = got[name]
        expect(isinstance(pair, (tuple, list)) and len(pair) == 2, f"{what}[{name!r}]",
               expected="a pair (X, Y)", got=pair, hint="each part is build_dataset's (X, Y)")
        expect_tensor(pair[0], f"{what}[{name!r}][0] (X)", dtype=torch.int64,
                      hint="X comes from build_dataset(part, block_size, stoi)")
        expect_tensor(pair[1], f"{what}[{name!r}][1] (Y)", dtype=torch.int64)
        expect(pair[0].ndim == 2 and pair[0].shape[1] == block_size,
               f"{what}[{name!r}]: X has block_size = {block_size} columns",
               expected=f"shape (n, {block_size})", got=f"shape {tuple(pair[0].shape)}",
               hint="pass block_size on to build_dataset")


@functools.lru_cache(maxsize=4)
def _datasets(parts: tuple[tuple[str, ...], ...], block_size: int,
              stoi: tuple[tuple[str, int], ...]) -> tuple[tuple[torch.Tensor, torch.Tensor], ...]:
    return tuple(build_dataset(list(part), block_size, dict(stoi)) for part in parts)


@expensive
def _names_split(words: tuple[str, ...], block_size: int
                 ) -> tuple[tuple[torch.Tensor, torch.Tensor], ...]:
    """The reference build_dataset of names.txt's train, dev and test words (the shuffle of
    random.Random(42), cut at 80% and 90%) with names.txt's vocabulary."""
    stoi, _ = build_vocab(list(words))
    shuffled = list(words)
    random.Random(42).shuffle(shuffled)
    return tuple(tuple(build_dataset(part, block_size, stoi)) for part in _cut(shuffled))


def _expect_split_data(got, parts: tuple[list[str], ...], block_size: int,
                       stoi: dict[str, int], what: str, shuffled: list[str],
                       expected: tuple | None = None) -> None:
    _expect_splits(got, what, block_size)
    if expected is None:
        expected = _datasets(tuple(tuple(p) for p in parts), block_size, tuple(stoi.items()))
    for name, part, (X, Y) in zip(SPLITS, parts, expected):
        pair = got[name]
        if torch.equal(pair[1], Y) and torch.equal(pair[0], X):
            continue
        words_of = {k: p for k, p in zip(SPLITS, parts)}
        hint = diagnose((pair[0], pair[1]), [
            (build_dataset(words_of["test"], block_size, stoi),
             "the dev and test parts are swapped: split_words returns train, dev, test"),
            (build_dataset(words_of["dev"], block_size, stoi),
             "the dev and test parts are swapped: split_words returns train, dev, test"),
            (build_dataset(_cut(shuffled[::-1])[SPLITS.index(name)], block_size, stoi),
             "cut the shuffled words in their order, not reversed"),
        ], default=(f"the {name} part is build_dataset(words_{name}, block_size, stoi), with "
                    f"the words of split_words(words, seed)"))
        expect_equal(tuple(pair[0].shape), tuple(X.shape), f"{what}[{name!r}]: shape of X",
                     hint=hint)
        expect(torch.equal(pair[0], X) and torch.equal(pair[1], Y),
               f"{what}[{name!r}]: the examples of the {name} words", expected=(X, Y),
               got=(pair[0], pair[1]), hint=hint)


@check(todo=2, points=2)
def test_split_datasets_small(lesson):
    what = "split_datasets(words, 2, stoi, 42) with 10 words, stoi {'.', 'A', 'B', 'C'}"
    with hint_on_error(what, "split the words with split_words (TODO 1), then call "
                             "build_dataset(part, block_size, stoi) on each part"):
        got = lesson.split_datasets(list(WORDS10), 2, dict(STOI_ABC), 42)
    _expect_split_data(got, _cut(SHUFFLED10[42]), 2, STOI_ABC, what, SHUFFLED10[42])
    # the dev part of 3 words is empty: X of shape (0, block_size)
    what = "split_datasets(['AB', 'C', 'BCA'], 2, stoi, 42) (an empty dev part)"
    with hint_on_error(what, "an empty part is allowed: build_dataset([], ...) gives X of "
                             "shape (0, block_size)"):
        got = lesson.split_datasets(["AB", "C", "BCA"], 2, dict(STOI_ABC), 42)
    _expect_splits(got, what, 2)
    expect_equal(tuple(got["dev"][0].shape), (0, 2), f"{what}: the dev X",
                 hint="a part without words has no examples: X of shape (0, block_size)")


@check(todo=2, points=2)
def test_split_datasets_seed_and_block_sizes(lesson):
    for block_size in (1, 4, 5):
        what = f"split_datasets(words, {block_size}, stoi, seed=7) with 10 words"
        with hint_on_error(what, "pass block_size and seed on"):
            got = lesson.split_datasets(list(WORDS10), block_size, dict(STOI_ABC), seed=7)
        if isinstance(got, dict) and "train" in got:
            train_x = got["train"][0]
            wrong = build_dataset(_cut(SHUFFLED10[42])[0], block_size, STOI_ABC)[0]
            if isinstance(train_x, torch.Tensor) and train_x.shape == wrong.shape \
                    and torch.equal(train_x, wrong):
                expect(False, f"{what}: the train part", hint="pass the seed on to "
                       "split_words(words, seed); it was split with 42")
        _expect_split_data(got, _cut(SHUFFLED10[7]), block_size, STOI_ABC, what,
                           SHUFFLED10[7])


@check(todo=2, points=2)
def test_split_datasets_names(lesson, words):
    expect_started(lambda: lesson.split_datasets(list(WORDS10), 2, dict(STOI_ABC), 42))
    stoi, _ = build_vocab(words)
    what = "split_datasets(names.txt, 3, stoi)"
    got = lesson.split_datasets(list(words), 3, stoi)
    _expect_splits(got, what, 3)
    sizes = tuple(got[name][0].shape[0] for name in SPLITS)
    expect_equal(sizes, NAMES_EXAMPLES, f"{what}: examples in train, dev, test",
                 hint="each word of w letters gives w + 1 examples; build each part from "
                      "the words of split_words(words, seed) with the default seed 42")
    shuffled = list(words)
    random.Random(42).shuffle(shuffled)
    _expect_split_data(got, _cut(shuffled), 3, stoi, what, shuffled,
                       expected=_names_split(tuple(words), 3))


# --------------------------------------------------------------------------- TODO 3

def _small_params(vocab_size: int, block_size: int, n_embd: int, n_hidden: int,
                  seed: int) -> dict[str, torch.Tensor]:
    params = init_params(vocab_size, block_size, n_embd, n_hidden, generator(seed))
    return {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}


def _trusted_loss(params: dict[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor) -> float:
    with torch.no_grad():
        return F.cross_entropy(forward(params, X), Y).item()


def _evaluate_hint(got, params, X, Y) -> str | None:
    with torch.no_grad():
        logits = forward(params, X)
    return diagnose(got, [
        (F.cross_entropy(logits, Y, reduction="sum").item(),
         "average the loss over the examples (F.cross_entropy's default mean), don't sum"),
        (-F.cross_entropy(logits, Y).item(), "the loss is minus the mean log probability"),
    ], default="the loss is F.cross_entropy(forward(params, X), Y)")


X_ABC = torch.tensor([[0, 0], [0, 1], [1, 2], [2, 3], [0, 3]])  # block_size 2, vocab 4
Y_ABC = torch.tensor([1, 2, 3, 0, 3])


@check(todo=3, points=2)
def test_evaluate_small(lesson):
    params = _small_params(4, 2, 2, 3, 1)
    zero = {k: (torch.zeros_like(v) if k in ("W2", "b2") else v.detach().clone())
            for k, v in params.items()}
    what = "evaluate(params, X, Y) with W2 = 0 and b2 = 0 (all logits 0, vocabulary of 4)"
    with hint_on_error(what, "compute logits = forward(params, X) and "
                             "F.cross_entropy(logits, Y)"):
        got = lesson.evaluate(zero, X_ABC, Y_ABC)
    expect_type(got, float, what, hint="return loss.item(), a Python float")
    expect_close(got, math.log(4), f"{what}: every probability is 1/4, so ln 4",
                 hint=_evaluate_hint(got, zero, X_ABC, Y_ABC))
    what = "evaluate(params, X, Y) with vocab 4, block_size 2, n_embd 2, n_hidden 3"
    got = lesson.evaluate(params, X_ABC, Y_ABC)
    expect_type(got, float, what, hint="return loss.item(), a Python float")
    expect_close(got, _trusted_loss(params, X_ABC, Y_ABC), what,
                 hint=_evaluate_hint(got, params, X_ABC, Y_ABC))


@check(todo=3, points=2)
def test_evaluate_builds_no_graph(lesson):
    params = _small_params(4, 2, 2, 3, 2)
    out = lesson.helper("call_with_grad", "evaluate", [params, X_ABC, Y_ABC])
    what = "evaluate(params, X, Y) with parameters that require grad"
    expect(not out["graph"], f"{what}: the result carries no graph", expected="a float",
           got="a tensor that requires grad", hint=NO_GRAPH)
    expect_type(out["result"], float, what, hint=NO_GRAPH)
    got_grads = {k: g is not None for k, g in out["grads"][0].items()}
    expect_equal(got_grads, {k: False for k in params}, f"{what}: no parameter gets a .grad",
                 hint="evaluate must not call backward(): measuring the loss needs no "
                      "gradients; " + NO_GRAPH)
    # .item() drops the graph, so a loss computed with autograd on returns the same float:
    # count what autograd kept for a backward pass while evaluate ran
    saved = lesson.helper("call_counting_saved", "evaluate", [params, X_ABC, Y_ABC])["saved"]
    expect(saved == 0, f"{what}: autograd keeps nothing for a backward pass while it runs",
           expected="0 tensors saved for backward", got=f"{saved} tensors saved for backward",
           hint="the loss was computed with autograd on (a graph was built, then dropped by "
                ".item()): wrap forward and the loss in torch.no_grad(), not "
                "torch.enable_grad()")


@check(todo=3, points=1)
def test_evaluate_leaves_params_unchanged(lesson):
    params = _small_params(4, 2, 2, 3, 3)
    what = "evaluate(params, X, Y)"
    expect_unmodified(lesson, "evaluate", [params, X_ABC, Y_ABC],
                      what=f"{what} must not change its arguments",
                      hint="evaluating is not training: no train_step, no update of the "
                           "parameters")
    after = lesson.helper("call_repeatedly", "evaluate", [params, X_ABC, Y_ABC], {}, 2)["args"][0]
    expect_equal({k: bool(v.requires_grad) for k, v in after.items()},
                 {k: True for k in params}, f"{what}: the parameters still require grad",
                 hint="don't switch requires_grad off on the parameters (training needs it "
                      "afterwards); torch.no_grad() stops the graph without touching them")


@check(todo=3, points=2)
def test_evaluate_names(lesson, words):
    expect_started(lambda: lesson.evaluate(_small_params(4, 2, 2, 3, 1), X_ABC, Y_ABC))
    for block_size, n_embd, n_hidden in ((3, 10, 200), (4, 5, 30)):
        X, Y = _names_split(tuple(words), block_size)[1]  # the dev part
        params = _small_params(27, block_size, n_embd, n_hidden, SEED)
        what = (f"evaluate(params, Xdev, Ydev) on names.txt's dev split, block_size "
                f"{block_size}, n_embd {n_embd}, n_hidden {n_hidden} (untrained, loss > 10)")
        with hint_on_error(what, "logits = forward(params, X), then F.cross_entropy"):
            got = lesson.evaluate(params, X, Y)
        expect_type(got, float, what, hint="return loss.item(), a Python float")
        expect_close(got, _trusted_loss(params, X, Y), what, rtol=1e-5,
                     hint=_evaluate_hint(got, params, X, Y))


# --------------------------------------------------------------------------- TODO 4

VERDICT_HINT = ("overfitting when dev_loss - train_loss > tolerance (the model does clearly "
                "better on its training examples than on new ones), else underfitting")
VERDICTS = [  # (train_loss, dev_loss, tolerance or None, expected)
    (2.1260, 2.1701, None, "underfitting"),    # the lecture's final run
    (0.3, 4.0, None, "overfitting"),           # 32 examples learned by heart
    (3.0, 2.9, None, "underfitting"),          # dev a little better than train
    (2.0, 2.05, 0.01, "overfitting"),          # a small tolerance
    (2.0, 2.5, 0.5, "underfitting"),           # a gap of exactly the tolerance
    (2.0, 2.5, 0.25, "overfitting"),
    (2.0, 2.3, None, "overfitting"),
]


def _verdict_hint(got: str, train_loss: float, dev_loss: float, tolerance: float) -> str:
    if got not in ("overfitting", "underfitting"):
        return 'return exactly "overfitting" or "underfitting"'
    if train_loss > dev_loss:
        return ("a dev loss below the train loss is no sign of overfitting: compare "
                "dev_loss - train_loss, not its absolute value")
    if dev_loss - train_loss == tolerance:
        return ("a gap of exactly the tolerance is not more than the tolerance: compare "
                "dev_loss - train_loss > tolerance")
    with_fixed = "overfitting" if dev_loss - train_loss > 0.1 else "underfitting"
    if tolerance != 0.1 and got == with_fixed:
        return "use the tolerance that was passed in, not a fixed 0.1; " + VERDICT_HINT
    return VERDICT_HINT


@check(todo=4, points=2)
def test_fit_verdict_small(lesson):
    for train_loss, dev_loss, tolerance, expected in VERDICTS:
        if tolerance is None:
            what = f"fit_verdict({train_loss}, {dev_loss})"
            got = lesson.fit_verdict(train_loss, dev_loss)
            tolerance = 0.1
        else:
            what = f"fit_verdict({train_loss}, {dev_loss}, tolerance={tolerance})"
            got = lesson.fit_verdict(train_loss, dev_loss, tolerance=tolerance)
        expect_type(got, str, what, hint='return "overfitting" or "underfitting"')
        expect_equal(got, expected, what,
                     hint=_verdict_hint(got, train_loss, dev_loss, tolerance))


@expensive
def _two_models(words: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """(train loss, dev loss) of a big model trained on 32 examples, a tiny one on all."""
    (Xtr, Ytr), (Xdev, Ydev), _ = _names_split(words, 3)
    losses = {}
    for name, (X, Y, n_embd, n_hidden, steps, batch) in {
            "big model, 32 examples": (Xtr[:32], Ytr[:32], 10, 200, 300, 32),
            "tiny model, all examples": (Xtr, Ytr, 2, 10, 500, 64)}.items():
        params = init_params(27, 3, n_embd, n_hidden, generator())
        with torch.no_grad():  # a tame start, so that a few hundred steps are enough
            params["W2"] *= 0.01
            params["b2"] *= 0
        train(params, X, Y, steps, batch, 0.2, generator())
        losses[name] = (_trusted_loss(params, X, Y), _trusted_loss(params, Xdev, Ydev))
    return losses


@check(todo=4, points=2)
def test_fit_verdict_names(lesson, words):
    expect_started(lambda: lesson.fit_verdict(2.0, 2.5))
    expected = {"big model, 32 examples": "overfitting",
                "tiny model, all examples": "underfitting"}
    for name, (train_loss, dev_loss) in _two_models(tuple(words)).items():
        what = (f"fit_verdict({train_loss:.4f}, {dev_loss:.4f}), the train and dev losses of a "
                f"{name} of names.txt")
        got = lesson.fit_verdict(train_loss, dev_loss)
        expect_type(got, str, what, hint='return "overfitting" or "underfitting"')
        expect_equal(got, expected[name], what,
                     hint=_verdict_hint(got, train_loss, dev_loss, 0.1))
