"""Checks for lesson 03 (embedding.py). Run them with:  pytest lessons/03"""

from __future__ import annotations

import torch

from autograder.checking import (check, diagnose, expect, expect_close, expect_equal,
                                 expect_started, expect_tensor, expect_unmodified, generator,
                                 hints_on_error, names_dataset)
from autograder.given.lesson01_bigram import build_vocab
from autograder.given.lesson02_dataset import build_dataset
from autograder.contract import Contract

# What the checks may call, with the parameters, and what grading needs to know
# (autograder.contract).
CONTRACT = Contract(
    functions={
        "init_embedding": "vocab_size, n_embd, generator",
        "embed":          "C, X",
        "embed_onehot":   "C, X",
    },
)


# A small table whose rows are easy to recognise: row i is [i, 10 * i + 1].
C_SMALL = torch.tensor([[0.0, 1.0], [1.0, 11.0], [2.0, 21.0], [3.0, 31.0], [4.0, 41.0]])
X_SMALL = torch.tensor([[0, 0, 1], [2, 3, 1]])  # note: index 4 never appears
EMB_SMALL = torch.tensor([[[0.0, 1.0], [0.0, 1.0], [1.0, 11.0]],
                          [[2.0, 21.0], [3.0, 31.0], [1.0, 11.0]]])


def names_X(words: list[str]) -> torch.Tensor:
    return names_dataset(words, build_vocab, build_dataset)[0]  # (228146, 3)


COLUMNS = "C[:, X] picks columns; each character is a row of C: C[X]"
ANY_RANK = ("X may have any number of dimensions (here {rank}): index C with X itself, C[X], "
            "whose shape is X.shape + (n_embd,), rather than sizes taken from a 2-D X")
NO_GRAD = ("no gradient reaches C: the embedding must stay in the autograd graph (no "
           "torch.no_grad(), .detach(), .data, .tolist() or .item() on the way)")
# the errors of typical mistakes, each with its hint (autograder.checking.hints_on_error)
EMBED_ERRORS = [(r"out of bounds for dimension", "an index is out of range: " + COLUMNS)]
ONEHOT_ERRORS = [
    (r"dtype|Long|long int|Double|double", "F.one_hot returns int64 indices as 0/1: cast them to "
     "C's dtype, F.one_hot(...).to(C.dtype), before the product with C"),
    (r"cannot be multiplied|shape|size",
     "the one-hot rows must have C.shape[0] entries: F.one_hot(X) alone makes X.max() + 1 "
     "of them and a fixed 27 only fits names.txt; pass num_classes=C.shape[0]"),
    (r"[Cc]lass values|infer", "pass num_classes=C.shape[0]: F.one_hot cannot guess the "
     "number of classes from X (here it is empty or misses the largest index)"),
]


def _rank_cases() -> list[tuple[str, torch.Tensor]]:
    """Index tensors of other ranks than the lecture's (n, block_size), and an empty one."""
    return [("X of shape () (one index)", torch.tensor(3)),
            ("X of shape (4,)", torch.tensor([4, 0, 2, 2])),
            ("X of shape (2, 2, 3)", torch.tensor([[[0, 1, 2], [3, 4, 0]],
                                                  [[1, 1, 1], [4, 3, 2]]])),
            ("X of shape (0, 3) (no examples)", torch.zeros((0, 3), dtype=torch.int64))]


def _expect_any_rank(lesson, fn: str, errors: list[tuple[str, str]]) -> None:
    """``fn`` (embed or embed_onehot) on X of every rank, C with n_embd 4 and 5 rows."""
    C = torch.randn((5, 4), generator=generator(7))
    for what, X in _rank_cases():
        call = f"{fn}(C, X) with C (5, 4) and {what}"
        with hints_on_error(call, errors, default=ANY_RANK.format(rank=X.dim())):
            got = getattr(lesson, fn)(C, X)
        hint = diagnose(got, [(C[:, X], COLUMNS)] if X.dim() == 0 else [],
                        default=ANY_RANK.format(rank=X.dim()))
        expect_tensor(got, call, shape=tuple(X.shape) + (4,), dtype=C.dtype, hint=hint)
        expect_close(got, C[X], call, atol=1e-6, hint="emb[..., :] must be the row C[X[...]]")


def _expect_gradient(lesson, fn: str) -> None:
    """The gradient of sum(emb * w) reaches C: row v gets the weights of every place v sits."""
    C = torch.randn((5, 3), generator=generator(3))
    X = torch.tensor([[0, 2, 2], [4, 2, 1]])
    w = torch.arange(18.0).view(2, 3, 3)
    call = f"{fn}(C, X) with C requiring grad, then (emb * w).sum().backward()"
    with hints_on_error(call, ONEHOT_ERRORS if fn == "embed_onehot" else EMBED_ERRORS):
        out = lesson.helper("call_with_grad", fn, [C, X], {}, w)
    expect(out["graph"], f"{call}: the result is part of the graph",
           expected="a tensor that requires grad", got="no graph", hint=NO_GRAD)
    expected = torch.zeros(5, 3).index_add_(0, X.reshape(-1), w.reshape(-1, 3))
    expect_close(out["grads"][0], expected, f"C.grad after {call}", hint=NO_GRAD)


def _expect_unmodified(lesson, fn: str, errors: list[tuple[str, str]]) -> None:
    call = f"{fn}(C, X) with C (5, 2) and X (2, 3)"
    with hints_on_error(call, errors):
        expect_unmodified(lesson, fn, [C_SMALL, X_SMALL], what=f"{call} leaves C and X unchanged",
                          hint=lambda changed: f"{fn} changed its argument {' and '.join(changed)}"
                          " in place (an operation ending in _, such as unsqueeze_, or an "
                          "assignment into it): work on new tensors")


# --------------------------------------------------------------------------- TODO 1

@check(todo=1, points=1)
def test_init_embedding_small(lesson):
    got = lesson.init_embedding(4, 3, generator(42))
    expected = torch.randn((4, 3), generator=generator(42))
    expect_tensor(got, "init_embedding(4, 3, generator)", shape=(4, 3), dtype=torch.float32,
                  hint="the shape is (vocab_size, n_embd): one row per character")
    hint = diagnose(got, [
        (torch.rand((4, 3), generator=generator(42)),
         "torch.rand draws uniformly from [0, 1); the table is standard normal: torch.randn"),
        (torch.randn((4, 3), generator=generator()),
         "the table does not change with the generator's seed: draw it with the generator you "
         "are given, not one you seed yourself"),
    ], default="draw the numbers with torch.randn(..., generator=generator), so that the "
               "same seed gives the same table")
    expect_close(got, expected, "init_embedding(4, 3, generator seeded with 42)", hint=hint)


@check(todo=1, points=1)
def test_init_embedding_lecture(lesson):
    C = lesson.init_embedding(27, 2, generator())
    expect_tensor(C, "init_embedding(27, 2, generator)", shape=(27, 2), dtype=torch.float32)
    expect_close(C[0], torch.tensor([1.5674, -0.2373]), "C[0], seed 2147483647 (the lecture's C)",
                 atol=1e-4, hint="call torch.randn once, with the shape (27, 2) and the generator")
    expect(0.5 < float(C.std()) < 1.5, "the spread of C's 54 entries",
           expected="a standard deviation near 1", got=f"{float(C.std()):.3f}",
           hint="use torch.randn, which draws from the standard normal distribution")


# --------------------------------------------------------------------------- TODO 2

@check(todo=2, points=2)
def test_embed_small(lesson):
    with hints_on_error("embed(C, X) with C (5, 2) and X (2, 3)", EMBED_ERRORS):
        got = lesson.embed(C_SMALL, X_SMALL)
    hint = diagnose(got, [
        (C_SMALL[X_SMALL.reshape(-1)], "keep the shape of X: index C with X itself, not a "
                                       "flattened copy"),
        (C_SMALL.T[:, X_SMALL], COLUMNS),
    ], default="emb[i, j] must be the row C[X[i, j]]")
    expect_tensor(got, "embed(C, X) with C (5, 2) and X (2, 3)", shape=(2, 3, 2), hint=hint)
    expect_equal(got, EMB_SMALL, "embed(C, X): row C[X[i, j]] at emb[i, j]", hint=hint)


@check(todo=2, points=2)
def test_embed_names(lesson, words):
    expect_started(lambda: lesson.embed(C_SMALL, X_SMALL))
    X = names_X(words)
    C = torch.randn((27, 2), generator=generator())
    with hints_on_error("embed(C, X) on names.txt", EMBED_ERRORS):
        emb = lesson.embed(C, X)
    expect_tensor(emb, "embed(C, X) on all of names.txt, block_size 3", shape=(228146, 3, 2),
                  hint="X has shape (228146, 3); each index becomes a row of 2 numbers")
    expect_close(emb[13, 2], C[X[13, 2]], "emb[13, 2] (the lecture's example)",
                 hint="emb[13, 2] must be C[X[13, 2]]")
    expect_close(emb, C[X], "embed(C, X) on names.txt", atol=0, rtol=0)
    expect(emb.dtype == C.dtype, "embed keeps C's dtype", expected=str(C.dtype),
           got=str(emb.dtype))


@check(todo=2, points=1)
def test_embed_other_ranks(lesson):
    _expect_any_rank(lesson, "embed", EMBED_ERRORS)


@check(todo=2, points=1)
def test_embed_gradient_and_inputs(lesson):
    _expect_unmodified(lesson, "embed", EMBED_ERRORS)
    _expect_gradient(lesson, "embed")


# --------------------------------------------------------------------------- TODO 3

@check(todo=3, points=2)
def test_embed_onehot_small(lesson):
    with hints_on_error("embed_onehot(C, X) with C (5, 2)", ONEHOT_ERRORS):
        got = lesson.embed_onehot(C_SMALL, X_SMALL)
    expect_tensor(got, "embed_onehot(C, X) with C (5, 2) and X (2, 3)", shape=(2, 3, 2),
                  hint="one_hot(X) has shape X.shape + (vocab_size,); times C gives "
                       "X.shape + (n_embd,)")
    expect_close(got, EMB_SMALL, "embed_onehot(C, X): the one-hot rows select rows of C",
                 hint="multiply the one-hot matrix by C (onehot @ C), not C by the one-hot")


@check(todo=3, points=2)
def test_embed_onehot_matches_embed(lesson, words):
    expect_started(lambda: lesson.embed_onehot(C_SMALL, X_SMALL))
    X = names_X(words)[:1000]
    C64 = torch.randn((27, 5), generator=generator(), dtype=torch.float64)
    with hints_on_error("embed_onehot(C, X) with a float64 table C", [
            (r"float != double", "F.one_hot returns int64 and .float() makes float32: "
                                       "cast with .to(C.dtype) so the product works for any "
                                       "table"), *ONEHOT_ERRORS]):
        got = lesson.embed_onehot(C64, X)
    expect_tensor(got, "embed_onehot(C, X) with C (27, 5) float64", shape=(1000, 3, 5),
                  dtype=torch.float64, hint="cast the one-hot matrix to C.dtype")
    expect_close(got, C64[X], "embed_onehot(C, X) equals C[X] on the first 1000 examples",
                 atol=1e-12, rtol=0)


@check(todo=3, points=1)
def test_embed_onehot_other_ranks(lesson):
    _expect_any_rank(lesson, "embed_onehot", ONEHOT_ERRORS)


@check(todo=3, points=1)
def test_embed_onehot_gradient_and_inputs(lesson):
    _expect_unmodified(lesson, "embed_onehot", ONEHOT_ERRORS)
    _expect_gradient(lesson, "embed_onehot")
