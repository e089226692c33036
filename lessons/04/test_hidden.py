"""Checks for lesson 04 (hidden.py). Run them with:  pytest lessons/04"""

from __future__ import annotations

import torch

from autograder.checking import (check, diagnose, expect, expect_close, expect_equal,
                                 expect_started, expect_tensor, expect_unmodified, fail,
                                 generator, hints_on_error, matches, names_dataset)
from autograder.given.lesson01_bigram import build_vocab
from autograder.given.lesson02_dataset import build_dataset
from autograder.contract import Contract

# What the checks may call, with the parameters, and what grading needs to know
# (autograder.contract).
CONTRACT = Contract(
    functions={
        "flatten_context":    "emb",
        "concat_context":     "emb",
        "hidden_layer":       "emb, W1, b1",
        "contiguous_strides": "shape",
        "shares_storage":     "a, b",
        "storage_answers":    "",
    },
    # grading carries results up to this size: hidden_layer on names.txt returns a (228146, 100) float tensor, 87 MiB
    max_result_bytes=96 << 20,
)


# emb for 2 examples, block_size 3, n_embd 2: the numbers 0..11 in memory order.
EMB_SMALL = torch.arange(12.0).view(2, 3, 2)
FLAT_SMALL = torch.tensor([[0.0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]])

WRONG_ORDER = ("the values are in the wrong order: flatten emb as it is, "
               "emb.view(n, block_size * n_embd); transposing first (or viewing a permuted "
               "tensor) mixes the embedding dimensions of different characters")
NOT_A_VIEW = ("the result does not share storage with emb: it is a copy. Use emb.view(n, -1), "
              "which reads the same memory with another shape")
FIXED_SIZES = ("take the sizes from emb.shape (or use -1): block_size and n_embd are not "
               "always 3 and 2")


EMPTY_BATCH = ("-1 cannot be worked out when emb holds no numbers (an empty batch, n = 0): "
               "take the sizes from emb.shape, emb.view(n, block_size * n_embd)")
SHAPE_ERRORS = [(r"unspecified dimension size -1|0 elements", EMPTY_BATCH)]


def _expect_unchanged(lesson, fn: str, args: list, what: str,
                      advice: str = "a view must read the memory of emb without changing emb "
                                    "itself") -> torch.Tensor:
    """``fn(*args)`` through call_unmodified; fail, naming the argument, if it changed one."""
    return expect_unmodified(
        lesson, fn, args, what=f"{what} leaves its arguments unchanged",
        hint=lambda changed: f"{fn} changed its argument {' and '.join(changed)} in place "
                             f"(resize_, an operation ending in _, or an assignment into it): "
                             f"{advice}")


def names_emb(words: list[str]) -> torch.Tensor:
    """emb = C[X] for all of names.txt, block_size 3, C (27, 2) drawn with the seed."""
    X, _ = names_dataset(words, build_vocab, build_dataset)
    C = torch.randn((27, 2), generator=generator())
    return C[X]  # (228146, 3, 2)


def _flat_mistakes(emb: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    n = emb.shape[0]
    if emb.numel() == 0:
        return []
    return [(emb.transpose(1, 2).reshape(n, -1), WRONG_ORDER),
            (emb.reshape(-1, n).T, WRONG_ORDER)]


def _expect_flat(got, emb: torch.Tensor, what: str) -> None:
    n, block_size, n_embd = emb.shape
    expect_tensor(got, what, shape=(n, block_size * n_embd),
                  hint=f"one row of block_size * n_embd = {block_size * n_embd} numbers per "
                       f"example; {FIXED_SIZES}")
    expect_equal(got, emb.reshape(n, block_size * n_embd), what,
                 hint=diagnose(got, _flat_mistakes(emb),
                               default="row i is emb[i, 0], emb[i, 1], ... side by side"))


# --------------------------------------------------------------------------- TODO 1

@check(todo=1, points=2)
def test_flatten_context_small(lesson):
    what = "flatten_context(emb) with emb = torch.arange(12.0).view(2, 3, 2)"
    with hints_on_error(what, [], default=FIXED_SIZES):
        out = lesson.helper("call_with_storage", "flatten_context", EMB_SMALL)
    _expect_flat(out["result"], EMB_SMALL, what)
    expect_equal(out["result"], FLAT_SMALL, what)
    expect(out["shares"][0], f"{what} shares storage with emb", expected="a view (no copy)",
           got="a copy", hint=NOT_A_VIEW)


@check(todo=1, points=1)
def test_flatten_context_sizes(lesson, words):
    expect_started(lambda: lesson.flatten_context(EMB_SMALL))
    for emb, what in ((torch.randn((4, 5, 3), generator=generator()),
                       "flatten_context(emb) with emb (4, 5, 3): block_size 5, n_embd 3"),
                      (names_emb(words), "flatten_context(C[X]) on names.txt, "
                                                "emb (228146, 3, 2)")):
        with hints_on_error(what, [], default=FIXED_SIZES):
            out = lesson.helper("call_with_storage", "flatten_context", emb)
        _expect_flat(out["result"], emb, what)
        expect(out["shares"][0], f"{what} shares storage with emb",
               expected="a view (no copy)", got="a copy", hint=NOT_A_VIEW)


@check(todo=1, points=1)
def test_flatten_context_edges(lesson):
    for emb, what in ((torch.arange(20.0).view(4, 1, 5), "emb (4, 1, 5): block_size 1"),
                      (torch.arange(6.0).view(2, 3, 1), "emb (2, 3, 1): n_embd 1"),
                      (torch.zeros((0, 3, 2)), "emb (0, 3, 2): an empty batch")):
        what = f"flatten_context(emb) with {what}"
        with hints_on_error(what, SHAPE_ERRORS, default=FIXED_SIZES):
            got = _expect_unchanged(lesson, "flatten_context", [emb], what)
        _expect_flat(got, emb, what)


# --------------------------------------------------------------------------- TODO 2

@check(todo=2, points=2)
def test_concat_context_small(lesson):
    what = "concat_context(emb) with emb = torch.arange(12.0).view(2, 3, 2)"
    with hints_on_error(what, [],
                        default="torch.cat takes a list or tuple of tensors, e.g. "
                                "torch.cat(torch.unbind(emb, 1), 1)"):
        out = lesson.helper("call_with_storage", "concat_context", EMB_SMALL)
    got = out["result"]
    expect_tensor(got, what, shape=(2, 6),
                  hint="concatenate along dimension 1 (the columns): torch.cat(..., 1); "
                       "along dimension 0 the slices are stacked as extra rows")
    expect_equal(got, FLAT_SMALL, what,
                 hint=diagnose(got, _flat_mistakes(EMB_SMALL),
                               default="concatenate emb[:, 0], emb[:, 1], emb[:, 2] in order"))
    expect(not out["shares"][0], f"{what} is a new tensor", expected="a copy made by torch.cat",
           got="a view of emb",
           hint="this TODO builds the copy: use torch.cat(torch.unbind(emb, 1), 1), not view")


@check(todo=2, points=1)
def test_concat_context_matches_view(lesson, words):
    emb4 = torch.randn((50, 4, 10), generator=generator())
    with hints_on_error("concat_context(emb) with block_size 4", [],
                        default="torch.unbind(emb, 1) gives every slice emb[:, k], however many "
                                "there are; three hand-written slices only fit block_size 3"):
        got = lesson.concat_context(emb4)
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (50, 30):
        fail("concat_context(emb) with block_size 4", expected="shape (50, 40)",
             got="shape (50, 30)", hint="three hand-written slices only fit block_size 3: "
                                        "torch.unbind(emb, 1) gives all of them")
    _expect_flat(got, emb4, "concat_context(emb) with emb (50, 4, 10): block_size 4, n_embd 10")
    emb = names_emb(words)
    got = lesson.concat_context(emb)
    _expect_flat(got, emb, "concat_context(C[X]) on names.txt, emb (228146, 3, 2)")


@check(todo=2, points=1)
def test_concat_context_edges(lesson):
    for emb, what in ((torch.arange(20.0).view(4, 1, 5), "emb (4, 1, 5): block_size 1"),
                      (torch.zeros((0, 3, 2)), "emb (0, 3, 2): an empty batch")):
        what = f"concat_context(emb) with {what}"
        with hints_on_error(what, [],
                            default="torch.cat(torch.unbind(emb, 1), 1) works for any n and "
                                    "block_size"):
            got = _expect_unchanged(lesson, "concat_context", [emb], what)
        _expect_flat(got, emb, what)


# --------------------------------------------------------------------------- TODO 3

W1_SMALL = torch.linspace(-0.5, 0.5, 24).view(6, 4)
B1_SMALL = torch.tensor([0.1, -0.2, 0.3, 0.0])


def _hidden_mistakes(emb: torch.Tensor, W1: torch.Tensor,
                     b1: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    flat = emb.reshape(emb.shape[0], -1)
    pre = flat @ W1 + b1
    return [
        (pre, "apply the non-linearity: h = torch.tanh(emb_flat @ W1 + b1)"),
        (torch.tanh(flat @ W1), "add the bias b1 before the tanh"),
        (torch.sigmoid(pre), "the lecture's hidden layer uses tanh, not sigmoid"),
        (torch.relu(pre), "the lecture's hidden layer uses tanh, not relu"),
        (torch.tanh(flat @ W1) + b1, "add b1 inside the tanh: tanh(emb_flat @ W1 + b1)"),
        (torch.tanh(emb.transpose(1, 2).reshape(emb.shape[0], -1) @ W1 + b1), WRONG_ORDER),
    ]


@check(todo=3, points=2)
def test_hidden_layer_small(lesson):
    what = "hidden_layer(emb, W1, b1) with emb (2, 3, 2), W1 (6, 4), b1 (4,)"
    with hints_on_error(what, [],
                        default="flatten emb to (n, block_size * n_embd) first: a (2, 3, 2) "
                                "tensor cannot be multiplied by W1 (6, 4)"):
        got = lesson.hidden_layer(EMB_SMALL, W1_SMALL, B1_SMALL)
    expect_tensor(got, what, shape=(2, 4), hint="h has one row per example and n_hidden columns")
    expected = torch.tanh(FLAT_SMALL @ W1_SMALL + B1_SMALL)
    expect_close(got, expected, what,
                 hint=diagnose(got, _hidden_mistakes(EMB_SMALL, W1_SMALL, B1_SMALL),
                               default="h = torch.tanh(emb_flat @ W1 + b1)"))


@check(todo=3, points=2)
def test_hidden_layer_names(lesson, words):
    expect_started(lambda: lesson.hidden_layer(EMB_SMALL, W1_SMALL, B1_SMALL))
    emb = names_emb(words)
    g = generator(42)
    W1 = torch.randn((6, 100), generator=g)
    b1 = torch.randn(100, generator=g)
    what = "hidden_layer(C[X], W1, b1) on names.txt, W1 (6, 100), b1 (100,)"
    got = lesson.hidden_layer(emb, W1, b1)
    expect_tensor(got, what, shape=(228146, 100), dtype=torch.float32,
                  hint="h has one row per example (228146) and n_hidden = 100 columns")
    inside = bool((got.abs() <= 1).all())
    expect(inside, f"{what}: every value in [-1, 1]", expected="tanh outputs",
           got=f"values from {got.min().item():.3g} to {got.max().item():.3g}",
           hint="apply torch.tanh to emb_flat @ W1 + b1")
    expected = torch.tanh(emb.view(-1, 6) @ W1 + b1)
    if not matches(got, expected):  # name the mistake from the first rows: quicker
        expect_close(got, expected, what,
                     hint=diagnose(got[:1000], _hidden_mistakes(emb[:1000], W1, b1),
                                   default="h = torch.tanh(emb_flat @ W1 + b1)"))


HAND_TANH = ("a tanh written with exp, (e^x - e^-x) / (e^x + e^-x), overflows to inf / inf = "
             "nan once |x| is large (exp(100) is inf in float32): use torch.tanh")
NO_GRAD = ("the gradient must reach emb, W1 and b1: keep h in the autograd graph (no "
           ".detach(), .data, .tolist(), .item() or torch.no_grad() on the way)")


@check(todo=3, points=1)
def test_hidden_layer_large_preactivations(lesson):
    # one example whose 6 pre-activations are -100, -60, -50, 50, 60, 100 (W1 = I, b1 = 0)
    emb = torch.tensor([[[-100.0, -60.0], [-50.0, 50.0], [60.0, 100.0]]])
    what = "hidden_layer(emb, I, 0) with pre-activations -100, -60, -50, 50, 60, 100"
    got = lesson.hidden_layer(emb, torch.eye(6), torch.zeros(6))
    expect_tensor(got, what, shape=(1, 6), dtype=torch.float32)
    expect(bool(torch.isfinite(got).all()), f"{what}: every value is finite", expected="-1 or 1",
           got=got, hint=HAND_TANH)
    expect_close(got, torch.tensor([[-1.0, -1, -1, 1, 1, 1]]), what, hint=HAND_TANH)


@check(todo=3, points=1)
def test_hidden_layer_gradient_and_sizes(lesson):
    g = generator(5)
    emb, W1, b1 = torch.randn((3, 4, 5), generator=g), torch.randn((20, 7), generator=g), \
        torch.randn(7, generator=g)
    what = "hidden_layer(emb, W1, b1) with emb (3, 4, 5), W1 (20, 7), b1 (7,), then backward"
    w = torch.linspace(-1, 1, 21).view(3, 7)
    with hints_on_error(what, [], default=FIXED_SIZES):
        _expect_unchanged(lesson, "hidden_layer", [emb, W1, b1], what,
                          "compute h as a new tensor, torch.tanh(emb_flat @ W1 + b1)")
        out = lesson.helper("call_with_grad", "hidden_layer", [emb, W1, b1], {}, w)
    expected = torch.tanh(emb.reshape(3, 20) @ W1 + b1)
    expect_close(out["result"], expected, what,
                 hint=diagnose(out["result"], _hidden_mistakes(emb, W1, b1),
                               default="h = torch.tanh(emb_flat @ W1 + b1)"))
    expect(out["graph"], f"{what}: h is part of the graph", expected="a tensor that requires grad",
           got="no graph", hint=NO_GRAD)
    leaves = [t.clone().requires_grad_() for t in (emb, W1, b1)]
    (torch.tanh(leaves[0].reshape(3, 20) @ leaves[1] + leaves[2]) * w).sum().backward()
    for name, got, leaf in zip(("emb", "W1", "b1"), out["grads"], leaves):
        expect_close(got, leaf.grad, f"{name}.grad after {what}", hint=NO_GRAD)
    what = "hidden_layer(emb, W1, b1) with emb (0, 3, 2): an empty batch"
    with hints_on_error(what, SHAPE_ERRORS):
        got = lesson.hidden_layer(torch.zeros((0, 3, 2)), W1_SMALL, B1_SMALL)
    expect_tensor(got, what, shape=(0, 4), hint="an empty batch gives h of shape (0, n_hidden)")


# --------------------------------------------------------------------------- TODO 4

def _expect_strides(got, shape: tuple[int, ...]) -> None:
    what = f"contiguous_strides({shape})"
    expected = tuple(torch.empty(shape, device="meta").stride())
    expect(isinstance(got, (tuple, list)) and all(isinstance(s, int) for s in got), what,
           expected="a tuple of ints", got=got)
    got = tuple(got)
    suffix = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        suffix[d] = suffix[d + 1] * shape[d + 1]
    hint = diagnose(got, [
        (expected[::-1], "the LAST dimension has stride 1 (its elements are neighbours in "
                         "memory); the first has the largest stride"),
        (tuple(s * n for s, n in zip(suffix, shape)), "stride[d] multiplies the sizes AFTER "
                                                      "dimension d, not d itself"),
        (tuple(shape), "a stride counts elements to skip, not the size of the dimension"),
    ], default="stride[d] = the product of shape[d + 1:]; the last stride is 1")
    expect_equal(got, expected, f"{what} (as torch.empty({shape}).stride())", hint=hint)


ANY_RANK = "walk over every dimension of shape, however many there are (also none: ())"
SIZE_ZERO = ("torch counts a dimension of size 0 as size 1 when it works out strides: "
             "multiply by max(size, 1)")


@check(todo=4, points=1)
def test_contiguous_strides_small(lesson):
    for shape in ((2, 3, 4), (5,), (3, 1, 2)):
        with hints_on_error(f"contiguous_strides({shape})", [], default=ANY_RANK):
            got = lesson.contiguous_strides(shape)
        _expect_strides(got, shape)


@check(todo=4, points=1)
def test_contiguous_strides_edges(lesson):
    for shape in ((), (7,), (2, 0, 3), (0, 4), (3, 0)):
        with hints_on_error(f"contiguous_strides({shape})", [], default=ANY_RANK):
            got = lesson.contiguous_strides(shape)
        if 0 in shape and isinstance(got, (tuple, list)):
            no_max, step = [], 1
            for size in reversed(shape):
                no_max.append(step)
                step *= size
            if tuple(got) == tuple(reversed(no_max)) != torch.empty(shape, device="meta").stride():
                fail(f"contiguous_strides({shape})",
                     expected=tuple(torch.empty(shape, device="meta").stride()), got=got,
                     hint=SIZE_ZERO)
        _expect_strides(got, shape)


@check(todo=4, points=1)
def test_contiguous_strides_lecture(lesson, words):
    expect_started(lambda: lesson.contiguous_strides((2, 3)))
    emb = names_emb(words)  # C[X] on names.txt: (228146, 3, 2)
    for shape in (tuple(emb.shape), tuple(emb.view(emb.shape[0], -1).shape), (32, 3, 10),
                  (2, 3, 4, 5)):
        _expect_strides(lesson.contiguous_strides(shape), shape)


# --------------------------------------------------------------------------- TODO 5

def _expect_shares(lesson, base: torch.Tensor, cases: dict[str, bool], what: str) -> None:
    got = lesson.helper("call_on_derived", "shares_storage", base, list(cases))
    for expression, answer in zip(cases, got):
        expect(isinstance(answer, bool), f"shares_storage(t, {expression})",
               expected="a bool", got=answer,
               hint="return a Python bool: compare two addresses with ==")
    wrong = [(e, truth, answer) for (e, truth), answer in zip(cases.items(), got)
             if answer != truth]
    if not wrong:
        return
    # a copy taken for a view says the most about the mistake: show it first
    wrong.sort(key=lambda w: w[1])
    expression, truth, answer = wrong[0]
    if not truth:
        hint = ("equal values do not mean shared memory: a copy has the same numbers in "
                "another storage. Compare a.untyped_storage().data_ptr() of both")
    elif expression.startswith("t[") and "t[0" not in expression:
        hint = ("t[1] starts later in the same storage, so its first element has another "
                "address: compare a.untyped_storage().data_ptr(), not a.data_ptr()")
    else:
        hint = ("a view is a different tensor object over the same memory: compare the "
                "storages, a.untyped_storage().data_ptr(), not the objects (a is b)")
    expect_equal(answer, truth, f"shares_storage(t, {expression}) with {what} "
                                f"({len(wrong)} of {len(cases)} answers wrong)", hint=hint)


@check(todo=5, points=1)
def test_shares_storage_small(lesson):
    _expect_shares(lesson, torch.arange(12.0).view(3, 4), {
        "t.view(4, 3)": True,
        "t[1]": True,
        "t.T": True,
        "t.clone()": False,
        "t + 0": False,
        "torch.zeros_like(t)": False,
    }, "t = torch.arange(12.0).view(3, 4)")


@check(todo=5, points=1)
def test_shares_storage_embeddings(lesson, words):
    expect_started(lambda: lesson.helper("call_on_derived", "shares_storage",
                                         torch.arange(12.0).view(3, 4), ["t[1]"]))
    _expect_shares(lesson, names_emb(words), {
        "t.view(228146, 6)": True,
        "t[:, 2]": True,
        "t[1000:]": True,
        "torch.cat(torch.unbind(t, 1), 1)": False,
        "t.transpose(1, 2).reshape(228146, 6)": False,
    }, "t = C[X] on names.txt, (228146, 3, 2)")


# --------------------------------------------------------------------------- TODO 6

QUESTION_T = "torch.arange(24.0).view(2, 3, 4)"
EXPLAIN = {
    "reshape": "reshape returns a view whenever the strides allow it (here t is contiguous), "
               "and copies only when they do not",
    "transpose(1, 2)": "transpose (and .T, permute) only swaps strides: a view",
    "transpose(1, 2).": "after a transpose the memory is no longer in row order: reshape and "
                        "contiguous must copy",
    "[": "basic indexing (integers and slices) gives views; advanced indexing (a list, a "
         "tensor, a boolean mask) gives copies",
    "clone": "clone always copies",
    "cat": "torch.cat always builds a new tensor",
    "flatten": "flatten of a contiguous tensor is a view (it is reshape(-1))",
    "unsqueeze": "unsqueeze only adds a dimension of size 1 to the shape: a view",
    "view": "view never copies: it reads the same memory with another shape",
}
FIRST_HALF = ("t.view(6, 4)", "t.view(2, 12)", "t.reshape(6, 4)", "t.transpose(1, 2)",
              "t.transpose(1, 2).reshape(2, 12)", "t.transpose(1, 2).contiguous()",
              "t.flatten()")
SECOND_HALF = ("t[:, 1]", "t[0, :, 2]", "t[:, [0, 2]]", "t[t > 5]", "t.clone()",
               "torch.cat([t[0], t[1]])", "t.unsqueeze(0)")


def _truth(expression: str) -> bool:
    t = torch.arange(24.0).view(2, 3, 4)
    result = eval(expression, {"__builtins__": {}, "torch": torch}, {"t": t})
    return result.untyped_storage().data_ptr() == t.untyped_storage().data_ptr()


def _explain(expression: str) -> str:
    for key in ("transpose(1, 2).", "transpose(1, 2)", "reshape", "clone", "cat", "flatten",
                "unsqueeze", "[", "view"):
        if key in expression:
            return EXPLAIN[key]
    return "test yourself: shares_storage(t, <expression>)"


def _check_answers(lesson, questions: tuple[str, ...]) -> None:
    answers = lesson.storage_answers()
    expect(isinstance(answers, dict), "storage_answers()", expected="a dict",
           got=type(answers).__name__)
    for expression in questions:
        expect(expression in answers, f"storage_answers() has an answer for {expression!r}",
               expected="True or False", got="no such key",
               hint="answer every expression of STORAGE_QUESTIONS, spelled exactly as there")
        answer = answers[expression]
        expect(isinstance(answer, bool), f"the answer for {expression!r}", expected="a bool",
               got=answer)
        truth = _truth(expression)
        expect_equal(answer, truth, f"does {expression} share storage with t = {QUESTION_T}?",
                     hint=_explain(expression))


@check(todo=6, points=2)
def test_storage_answers_shapes(lesson):
    _check_answers(lesson, FIRST_HALF)


@check(todo=6, points=2)
def test_storage_answers_indexing(lesson):
    _check_answers(lesson, SECOND_HALF)
