"""Checks for lesson 05 (loss.py). Run them with:  pytest lessons/05"""

from __future__ import annotations

import functools
import math

import torch
import torch.nn.functional as F

from autograder.checking import (check, diagnose, expect, expect_close, expect_started,
                                 expect_tensor, expect_unmodified, generator, hints_on_error,
                                 names_dataset)
from autograder.given.lesson01_bigram import build_vocab
from autograder.given.lesson02_dataset import build_dataset
from autograder.contract import Contract

# What the checks may call, with the parameters, and what grading needs to know
# (autograder.contract).
CONTRACT = Contract(
    functions={
        "output_layer":    "h, W2, b2",
        "softmax":         "logits",
        "nll_loss":        "logits, Y",
        "stable_softmax":  "logits",
        "stable_nll_loss": "logits, Y",
    },
    # grading carries results up to this size: softmax on names.txt returns a (228146, 27) float tensor, 23 MiB
    max_result_bytes=32 << 20,
)



# TODO 1: a hidden layer of 2 examples x 3 units, an output layer of 4 characters.
H_SMALL = torch.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
W2_SMALL = torch.tensor([[1.0, 0.0, 2.0, -1.0], [0.0, 1.0, 1.0, 0.0], [2.0, -1.0, 0.0, 1.0]])
B2_SMALL = torch.tensor([0.5, -0.5, 1.0, 0.0])
LOGITS_SMALL = torch.tensor([[1.5, 1.5, 5.0, -1.0], [6.5, -4.5, 0.0, 3.0]])

# Logits whose exponentials are small whole numbers, so the probabilities are easy fractions.
COUNTS_2x3 = torch.tensor([[1.0, 2.0, 1.0], [3.0, 1.0, 4.0]])  # row sums 4, 8
COUNTS_3x3 = torch.tensor([[1.0, 2.0, 1.0], [3.0, 1.0, 4.0], [2.0, 2.0, 2.0]])  # rows 4, 8, 6
COUNTS_3x4 = torch.tensor([[1.0, 2.0, 1.0, 4.0], [3.0, 1.0, 2.0, 2.0], [1.0, 1.0, 1.0, 5.0]])
Y_3 = torch.tensor([1, 0, 3])  # probabilities 2/8, 3/8, 5/8: loss 0.945709

# Rows on very different scales: the global maximum makes the second row underflow.
LOGITS_SCALES = torch.tensor([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0]])
ROW_0_1_2 = [0.665241, 0.244728, 0.090031]  # softmax([0, -1, -2])

NLL_ERROR = ("if nll_loss calls your softmax, make the TODO 2 checks pass first; then pick "
             "probs[torch.arange(n, device=Y.device), Y], one entry per row")
OVERFLOW = ("exp overflows for large logits (exp(100) is inf in float32, and inf / inf is "
            "nan): subtract each row's maximum before exp")
GLOBAL_MAX = ("subtract each row's own maximum, logits.max(1, keepdim=True).values, not the "
              "global logits.max(): a row far below the largest logit then underflows to all "
              "zeros, and 0 / 0 is nan")
MAX_KEEPDIM = ("logits.max(1, keepdim=True) returns (values, indices): use its .values, of "
               "shape (n, 1); without keepdim=True the (n,) maxima do not line up with the rows")


# The library functions this lesson asks the student to write by hand. The checks call
# TODOs 2-5 once with these replaced by functions that raise (helper "call_without");
# torch.logsumexp, max, exp, log and indexing stay allowed.
FORBIDDEN = ["torch.nn.functional.softmax", "torch.nn.functional.log_softmax",
             "torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss",
             "torch.softmax", "torch.log_softmax", "torch.Tensor.softmax",
             "torch.Tensor.log_softmax", "torch.special.softmax", "torch.special.log_softmax"]
BY_HAND = ("this TODO is written by hand: F.softmax, F.log_softmax, F.cross_entropy, F.nll_loss "
           "(and torch.softmax, .softmax(), .log_softmax()) are ruled out, the checks use them "
           "to judge your version; exp, max, sum, log, torch.logsumexp and indexing are fine")
KEEPDIM_ERROR = ("counts.sum(1) has shape (n,); keep the summed dimension with "
                 "counts.sum(1, keepdim=True), shape (n, 1), so the division broadcasts along "
                 "each row")
ROWS = ("index the rows with torch.arange(n), n = logits.shape[0] (the number of examples), not "
        "a fixed number such as the lecture's 32")
NO_GRAPH = ("no gradient reaches the inputs: return a tensor that stays in the autograd graph "
            "(no .item(), .tolist(), torch.tensor(...) of a result, .detach() or torch.no_grad())")
CHANGED = ("{fn} changed its argument {args} in place ({how}): compute new tensors, e.g. "
           "{fix}")
# logits (4, 5) on the scale of the lecture's, and a 1-row and an empty batch for generality
LOGITS_4x5 = torch.randn((4, 5), generator=torch.Generator().manual_seed(11)) * 3
Y_4 = torch.tensor([4, 0, 2, 2])


def _by_hand(lesson, fn: str, args: list, what: str,
             errors: list[tuple[str, str]] | None = None):
    """``fn(*args)`` with the library softmax and losses ruled out (helper call_without)."""
    with hints_on_error(what, [(r"ForbiddenCall|ruled out", BY_HAND), *(errors or [])]):
        return lesson.helper("call_without", fn, args, {}, FORBIDDEN)


def _expect_inputs_unchanged(lesson, fn: str, args: list, what: str, how: str, fix: str):
    return expect_unmodified(
        lesson, fn, args, what=f"{what} leaves its arguments unchanged",
        hint=lambda changed: CHANGED.format(fn=fn, args=" and ".join(changed), how=how, fix=fix))


def _expect_gradient(lesson, fn: str, args: list, what: str, reference, weights=None) -> None:
    """The gradient of ``fn`` reaches its floating inputs and equals the reference's."""
    out = lesson.helper("call_with_grad", fn, args, {}, weights)
    expect(out["graph"], f"{what}: the result is part of the autograd graph",
           expected="a tensor that requires grad", got="no graph", hint=NO_GRAPH)
    leaves = [a.clone().requires_grad_() if a.is_floating_point() else a for a in args]
    result = reference(*leaves)
    (result * (torch.ones_like(result) if weights is None else weights)).sum().backward()
    for i, (got, leaf) in enumerate(zip(out["grads"], leaves)):
        if leaf.is_floating_point():
            expect_close(got, leaf.grad, f"the gradient of {what} with respect to argument "
                                         f"{i + 1}", atol=1e-5, hint=NO_GRAPH)


def names_model(words: list[str], first: int | None = None) -> dict[str, torch.Tensor]:
    """The lecture's first forward pass on ``words[:first]``: h, W2, b2, logits and Y.

    The vocabulary comes from all the words, block_size is 3. C (27, 2), W1 (6, 100),
    b1 (100,), W2 (100, 27), b2 (27,) are drawn in that order from one generator seeded
    2147483647; h = tanh(C[X].view(-1, 6) @ W1 + b1).
    """
    return _forward_pass(*names_dataset(words, build_vocab, build_dataset, 3, first))


@functools.lru_cache(maxsize=2)  # names_dataset gives the same tensors each time
def _forward_pass(X: torch.Tensor, Y: torch.Tensor) -> dict[str, torch.Tensor]:
    g = generator()
    C = torch.randn((27, 2), generator=g)
    W1 = torch.randn((6, 100), generator=g)
    b1 = torch.randn(100, generator=g)
    W2 = torch.randn((100, 27), generator=g)
    b2 = torch.randn(27, generator=g)
    h = torch.tanh(C[X].view(-1, 6) @ W1 + b1)  # (n, 100)
    return {"h": h, "W2": W2, "b2": b2, "logits": h @ W2 + b2, "Y": Y}


def _nan_to(t: torch.Tensor) -> torch.Tensor:
    """``t`` with nan replaced by -1 (infinities kept), so nan results can be compared."""
    return torch.nan_to_num(t.detach().double(), nan=-1.0, posinf=math.inf, neginf=-math.inf)


def _expect_scalar(got, what: str, hint: str) -> None:
    expect_tensor(got, what, dtype="floating",
                  hint="return the loss as a tensor (no .item()), so it can be backpropagated")
    expect(tuple(got.shape) == (), f"{what}: the loss is one number, a tensor of shape ()",
           expected="shape ()", got=f"shape {tuple(got.shape)}", hint=hint)


def _expect_probs(got: torch.Tensor, what: str, hint: str) -> None:
    """Every row of ``got`` is a probability distribution."""
    expect(bool(torch.isfinite(got).all()), f"{what}: every probability is finite",
           expected="no inf or nan", got=got, hint=hint)
    sums = got.sum(1)
    expect_close(sums, torch.ones_like(sums), f"{what}: every row sums to 1", atol=1e-5,
                 hint="divide each row by its own sum, counts.sum(1, keepdim=True)")


# --------------------------------------------------------------------------- TODO 1

@check(todo=1, points=1)
def test_output_layer_small(lesson):
    with hints_on_error("output_layer(h, W2, b2) with h (2, 3), W2 (3, 4), b2 (4,)", [],
                        default="h (n, n_hidden) @ W2 (n_hidden, vocab_size), in that order, "
                                "then + b2, which broadcasts over the rows"):
        got = lesson.output_layer(H_SMALL, W2_SMALL, B2_SMALL)
    expect_tensor(got, "output_layer(h, W2, b2) with h (2, 3), W2 (3, 4), b2 (4,)",
                  shape=(2, 4), hint="the logits have one row per example and one column "
                                     "per character: h @ W2 + b2")
    hint = diagnose(got, [
        (H_SMALL @ W2_SMALL, "add the bias b2 to every row: h @ W2 + b2"),
        (H_SMALL @ W2_SMALL - B2_SMALL, "add the bias b2, don't subtract it"),
    ], default="logits = h @ W2 + b2 (a matrix product, not an elementwise one)")
    expect_close(got, LOGITS_SMALL, "output_layer(h, W2, b2)", hint=hint)


@check(todo=1, points=1)
def test_output_layer_names(lesson, words):
    expect_started(lambda: lesson.output_layer(H_SMALL, W2_SMALL, B2_SMALL))
    model = names_model(words)
    got = lesson.output_layer(model["h"], model["W2"], model["b2"])
    expect_tensor(got, "output_layer(h, W2, b2) on names.txt, h (228146, 100), W2 (100, 27)",
                  shape=(228146, 27), dtype=torch.float32,
                  hint="one row of 27 logits for each of the 228146 examples")
    expect_close(got, model["logits"], "output_layer(h, W2, b2) on names.txt", atol=1e-4,
                 hint="logits = h @ W2 + b2")


@check(todo=1, points=1)
def test_output_layer_gradient_and_sizes(lesson):
    g = generator(3)
    h, W2, b2 = torch.randn((5, 3), generator=g), torch.randn((3, 7), generator=g), \
        torch.randn(7, generator=g)
    what = "output_layer(h, W2, b2) with h (5, 3), W2 (3, 7), b2 (7,)"
    _expect_inputs_unchanged(lesson, "output_layer", [h.clone(), W2.clone(), b2.clone()], what,
                             "+= or another in-place operation", "h @ W2 + b2")
    _expect_gradient(lesson, "output_layer", [h, W2, b2], what, lambda h, W2, b2: h @ W2 + b2,
                     weights=torch.linspace(-1, 1, 35).view(5, 7))
    what = "output_layer(h, W2, b2) with an empty batch, h (0, 3)"
    got = lesson.output_layer(torch.zeros((0, 3)), W2, b2)
    expect_tensor(got, what, shape=(0, 7), hint="no examples, no rows: h @ W2 + b2 works for n = 0")


# --------------------------------------------------------------------------- TODO 2

@check(todo=2, points=2)
def test_softmax_small(lesson):
    logits = COUNTS_2x3.log()
    what = "softmax(logits) with logits (2, 3)"
    with hints_on_error(what, [(r"must match the size|size of tensor", KEEPDIM_ERROR)]):
        got = lesson.softmax(logits)
    expect_tensor(got, what, shape=(2, 3), hint="probs has the shape of the logits")
    hint = diagnose(got, [
        (COUNTS_2x3 / COUNTS_2x3.sum(0), ("each column was divided by its column sum (sum(0)); "
                                          "divide each row by its own sum, sum(1, keepdim=True)")),
        (COUNTS_2x3 / COUNTS_2x3.sum(), ("everything was divided by the total sum; divide each "
                                         "row by its own sum, sum(1, keepdim=True)")),
        (logits / logits.sum(1, keepdim=True), ("exponentiate the logits first: counts = "
                                                "logits.exp(), then normalise the counts")),
    ], default="probs = counts / counts.sum(1, keepdim=True), with counts = logits.exp()")
    expected = torch.tensor([[0.25, 0.5, 0.25], [0.375, 0.125, 0.5]])
    expect_close(got, expected, f"{what}: each row of exp(logits) divided by its sum",
                 hint=hint)


@check(todo=2, points=2)
def test_softmax_square(lesson):
    logits = COUNTS_3x3.log()
    what = "softmax(logits) with a square input, logits (3, 3)"
    got = lesson.softmax(logits)
    expect_tensor(got, what, shape=(3, 3), hint="probs has the shape of the logits")
    hint = diagnose(got, [
        (COUNTS_3x3 / COUNTS_3x3.sum(1), ("without keepdim=True the (n,) row sums broadcast as "
                                          "a row, so column j is divided by the sum of row j "
                                          "(it only runs because the input is square): use "
                                          "counts.sum(1, keepdim=True)")),
        (COUNTS_3x3 / COUNTS_3x3.sum(0), ("each column was divided by its column sum (sum(0)); "
                                          "divide each row by its own sum, sum(1, keepdim=True)")),
        (COUNTS_3x3 / COUNTS_3x3.sum(), ("everything was divided by the total sum; divide each "
                                         "row by its own sum, sum(1, keepdim=True)")),
    ], default="probs = counts / counts.sum(1, keepdim=True), with counts = logits.exp()")
    expected = torch.tensor([[0.25, 0.5, 0.25], [0.375, 0.125, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    expect_close(got, expected, f"{what}: each row of exp(logits) divided by its sum",
                 hint=hint)


@check(todo=2, points=1)
def test_softmax_names(lesson, words):
    expect_started(lambda: lesson.softmax(LOGITS_SMALL))
    model = names_model(words)
    what = "softmax(logits) on names.txt, logits (228146, 27)"
    with hints_on_error(what, [(r"must match the size|size of tensor", KEEPDIM_ERROR)]):
        got = lesson.softmax(model["logits"])
    expect_tensor(got, what, shape=(228146, 27), dtype=torch.float32)
    _expect_probs(got, what, hint="probs = counts / counts.sum(1, keepdim=True), with "
                                  "counts = logits.exp(); these logits are small enough for exp")
    expect_close(got, F.softmax(model["logits"], dim=1), f"{what} equals F.softmax(logits, 1)",
                 atol=1e-6, hint="probs = counts / counts.sum(1, keepdim=True)")


def _softmax_by_hand(lesson, fn: str, how: str, fix: str) -> None:
    """``fn`` (softmax or stable_softmax): by hand, other sizes, inputs unchanged, gradient."""
    for logits in (LOGITS_4x5, LOGITS_4x5[:1], torch.zeros((0, 5))):
        what = f"{fn}(logits) with logits {tuple(logits.shape)}, library softmax ruled out"
        got = _by_hand(lesson, fn, [logits], what, [(r"must match the size|size of tensor",
                                                     KEEPDIM_ERROR)])
        expect_tensor(got, what, shape=tuple(logits.shape), dtype=torch.float32)
        expect_close(got, torch.softmax(logits, 1), f"{what} equals F.softmax(logits, 1)",
                     hint="probs = exp(logits) / exp(logits).sum(1, keepdim=True), row by row")
    what = f"{fn}(logits) with logits (4, 5)"
    _expect_inputs_unchanged(lesson, fn, [LOGITS_4x5.clone()], what, how, fix)
    _expect_gradient(lesson, fn, [LOGITS_4x5], what, lambda x: torch.softmax(x, 1),
                     weights=torch.arange(20.0).view(4, 5))


@check(todo=2, points=1)
def test_softmax_by_hand_and_gradient(lesson):
    _softmax_by_hand(lesson, "softmax", "exp_ or /=", "counts = logits.exp()")


# --------------------------------------------------------------------------- TODO 3

@check(todo=3, points=2)
def test_nll_loss_small(lesson):
    logits = COUNTS_3x4.log()  # all the picked logits are positive, so log(logits) is finite
    what = "nll_loss(logits, Y) with logits (3, 4), Y = [1, 0, 3]"
    with hints_on_error(what, [(r"could not be broadcast|shape mismatch", ROWS)],
                        default=NLL_ERROR):
        got = lesson.nll_loss(logits, Y_3)
    probs = COUNTS_3x4 / COUNTS_3x4.sum(1, keepdim=True)
    picked = probs[torch.arange(3), Y_3]  # 2/8, 3/8, 5/8
    _expect_scalar(got, what, hint="probs[:, Y] is an (n, n) matrix, and a mean over one axis "
                                   "leaves n numbers: pick one entry per row with "
                                   "probs[torch.arange(n), Y], then .mean() over all of them")
    hint = diagnose(got, [
        (picked.log().mean(), ("the loss is minus the mean log probability: a log of a "
                               "probability is negative, the loss positive")),
        (-picked.log().sum(), "average over the examples (.mean()), don't sum"),
        (-probs[:, Y_3].log().mean(), ("probs[:, Y] is an (n, n) matrix (every row, n columns): "
                                       "pick one entry per row with probs[torch.arange(n), Y]")),
        (-logits[torch.arange(3), Y_3].log().mean(), ("take the log of the probabilities "
                                                      "(softmax of the logits), not of the "
                                                      "logits")),
        (-logits[torch.arange(3), Y_3].mean(), ("turn the logits into probabilities with "
                                                "softmax first, then take -log")),
        (-probs.log().mean(), ("average -log probs[i, Y[i]] only, one entry per row "
                               "(probs[torch.arange(n), Y]), not every entry of probs")),
    ], default="loss = -probs[torch.arange(n), Y].log().mean()")
    expect_close(got, F.cross_entropy(logits, Y_3), f"{what}: -(log 2/8 + log 3/8 + log 5/8) / 3",
                 hint=hint)
    expect_close(float(got), 0.945709, f"{what} (the literal value)", hint=hint)


@check(todo=3, points=1)
def test_nll_loss_uniform(lesson):
    logits = torch.zeros((5, 27))
    Y = torch.tensor([0, 1, 13, 25, 26])
    what = "nll_loss(logits, Y) with all-zero logits (every character equally likely)"
    with hints_on_error(what, [], default=NLL_ERROR):
        got = lesson.nll_loss(logits, Y)
    _expect_scalar(got, what, hint="pick one entry per row, probs[torch.arange(n), Y], then "
                                   ".mean() over all of them")
    hint = diagnose(got, [
        (-math.log(27), "the loss is minus the mean log probability"),
        (5 * math.log(27), "average over the examples (.mean()), don't sum"),
    ], default="each probability is 1/27, so the loss is -log(1/27) = ln 27")
    expect_close(float(got), math.log(27), f"{what}: ln 27 = 3.2958", hint=hint)


@check(todo=3, points=2)
def test_nll_loss_names(lesson, words):
    expect_started(lambda: lesson.nll_loss(COUNTS_3x4.log(), Y_3))
    five = names_model(words, 5)
    what = ("nll_loss(logits, Y) of the lecture's first forward pass on the first five names "
            "(32 examples)")
    with hints_on_error(what, [], default=NLL_ERROR):
        got = lesson.nll_loss(five["logits"], five["Y"])
    _expect_scalar(got, what, hint="pick one entry per row, probs[torch.arange(n), Y], then "
                                   ".mean() over all of them")
    expect_close(float(got), 17.7697, what, atol=1e-3, rtol=0,
                 hint="loss = -probs[torch.arange(n), Y].log().mean()")
    model = names_model(words)
    what = "nll_loss(logits, Y) on all of names.txt (228146 examples)"
    with hints_on_error(what, [],
                        default="keep every intermediate at shape (n, vocab_size) or (n,): an "
                                "(n, n) matrix such as probs[:, Y] does not fit in memory for "
                                "228146 examples"):
        got = lesson.nll_loss(model["logits"], model["Y"])
    _expect_scalar(got, what, hint="pick one entry per row, probs[torch.arange(n), Y]")
    expected = F.cross_entropy(model["logits"], model["Y"])  # about 19.5052
    expect_close(got, expected, f"{what} equals F.cross_entropy(logits, Y)",
                 hint="loss = -probs[torch.arange(n), Y].log().mean()")


@check(todo=3, points=1)
def test_nll_loss_by_hand_and_gradient(lesson):
    what = "nll_loss(logits, Y) with logits (4, 5), library losses ruled out"
    got = _by_hand(lesson, "nll_loss", [LOGITS_4x5, Y_4], what,
                   [(r"could not be broadcast|shape mismatch", ROWS)])
    _expect_scalar(got, what, hint="pick one entry per row, then .mean() over all of them")
    expect_close(got, F.cross_entropy(LOGITS_4x5, Y_4), f"{what} equals F.cross_entropy",
                 hint="loss = -probs[torch.arange(n), Y].log().mean()")
    _expect_inputs_unchanged(lesson, "nll_loss", [LOGITS_4x5.clone(), Y_4.clone()],
                             "nll_loss(logits, Y)", "an operation ending in _",
                             "probs = softmax(logits)")
    _expect_gradient(lesson, "nll_loss", [LOGITS_4x5, Y_4], "nll_loss(logits, Y)",
                     F.cross_entropy)


# --------------------------------------------------------------------------- TODO 4

@check(todo=4, points=1)
def test_stable_softmax_small(lesson):
    logits = COUNTS_2x3.log()
    what = "stable_softmax(logits) with ordinary logits (2, 3)"
    with hints_on_error(what, [], default=MAX_KEEPDIM):
        got = lesson.stable_softmax(logits)
    expect_tensor(got, what, shape=(2, 3), hint="probs has the shape of the logits")
    expected = torch.tensor([[0.25, 0.5, 0.25], [0.375, 0.125, 0.5]])
    expect_close(got, expected, f"{what}: the same probabilities as softmax",
                 hint="subtracting a row's maximum does not change its softmax: exp(x - m) / "
                      "sum(exp(x - m)) = exp(x) / sum(exp(x)); normalise each row by its own "
                      "sum, sum(1, keepdim=True)")


@check(todo=4, points=2)
def test_stable_softmax_extreme(lesson):
    what = "stable_softmax(logits) with rows [1000, 999, 998] and [-1000, -1001, -1002]"
    with hints_on_error(what, [], default=MAX_KEEPDIM):
        got = lesson.stable_softmax(LOGITS_SCALES)
    expect_tensor(got, what, shape=(2, 3), hint="probs has the shape of the logits")
    counts = LOGITS_SCALES.exp()
    shifted = (LOGITS_SCALES - LOGITS_SCALES.max()).exp()
    hint = diagnose(_nan_to(got), [
        (_nan_to(counts / counts.sum(1, keepdim=True)), OVERFLOW),
        (_nan_to(shifted / shifted.sum(1, keepdim=True)), GLOBAL_MAX),
    ], default="probs = exp(logits - m) / sum(exp(logits - m)) with m the row's maximum, "
               "logits.max(1, keepdim=True).values")
    expected = torch.tensor([ROW_0_1_2, ROW_0_1_2])  # only the differences within a row count
    expect_close(got, expected, f"{what}: both rows are softmax([0, -1, -2])", hint=hint)


@check(todo=4, points=1)
def test_stable_softmax_square(lesson):
    logits = torch.tensor([[1000.0, 999.0, 998.0], [0.0, -1.0, -2.0], [-1000.0, -1001.0, -1002.0]])
    what = "stable_softmax(logits) with a square input, rows around 1000, 0 and -1000"
    with hints_on_error(what, [], default=MAX_KEEPDIM):
        got = lesson.stable_softmax(logits)
    expect_tensor(got, what, shape=(3, 3), hint="probs has the shape of the logits")
    no_keepdim = (logits - logits.max(1).values).exp()
    hint = diagnose(_nan_to(got), [
        (_nan_to(no_keepdim / no_keepdim.sum(1, keepdim=True)),
         ("without keepdim=True the (n,) row maxima broadcast as a row, so column j loses the "
         "maximum of row j (it only runs because the input is square): use "
         "logits.max(1, keepdim=True).values, shape (n, 1)")),
    ], default=GLOBAL_MAX)
    expected = torch.tensor([ROW_0_1_2, ROW_0_1_2, ROW_0_1_2])
    expect_close(got, expected, f"{what}: every row is softmax([0, -1, -2])", hint=hint)


@check(todo=4, points=1)
def test_stable_softmax_names(lesson, words):
    expect_started(lambda: lesson.stable_softmax(LOGITS_SMALL))
    logits = names_model(words)["logits"] * 10  # up to about 390: exp overflows
    what = "stable_softmax(10 * logits) on names.txt, logits (228146, 27)"
    with hints_on_error(what, [], default=MAX_KEEPDIM):
        got = lesson.stable_softmax(logits)
    expect_tensor(got, what, shape=(228146, 27), dtype=torch.float32)
    _expect_probs(got, what, hint="exp(logits) overflows for logits this large, and with one "
                                  "maximum for the whole batch the rows far below it underflow: "
                                  "subtract each row's own maximum, "
                                  "logits.max(1, keepdim=True).values, before exp")
    expect_close(got, F.softmax(logits, dim=1), f"{what} equals F.softmax(logits, 1)",
                 atol=1e-6, hint="probs = exp(logits - m) / sum(exp(logits - m)) with m the "
                                 "row's maximum")


@check(todo=4, points=1)
def test_stable_softmax_by_hand_and_inputs(lesson):
    _softmax_by_hand(lesson, "stable_softmax", "logits -= m, or another in-place operation",
                     "logits - m")


# --------------------------------------------------------------------------- TODO 5

def _lse_mistakes(logits: torch.Tensor, Y: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """The wrong losses of typical log-sum-exp mistakes, each with its hint."""
    n = logits.shape[0]
    m = logits.max(1, keepdim=True).values  # (n, 1)
    s = (logits - m).exp().sum(1).log()  # (n,) log-sum-exp of the shifted rows
    correct = logits[torch.arange(n), Y]  # (n,)
    loss = (m.squeeze(1) + s - correct).mean()
    return [
        (-loss, "the loss is logsumexp - logits[i, Y[i]] (minus the log probability), positive"),
        (loss * n, "average over the examples (.mean()), don't sum"),
        ((s - correct).mean(), "add the maximum back: logsumexp = m + log(sum(exp(logits - m)))"),
    ]


@check(todo=5, points=1)
def test_stable_nll_loss_small(lesson):
    logits = COUNTS_3x4.log()
    what = "stable_nll_loss(logits, Y) with ordinary logits (3, 4), Y = [1, 0, 3]"
    got = lesson.stable_nll_loss(logits, Y_3)
    _expect_scalar(got, what, hint="compute one loss per row, logsumexp - logits[i, Y[i]], then "
                                   ".mean() over all of them")
    hint = diagnose(got, _lse_mistakes(logits, Y_3),
                    default="loss = (logsumexp - logits[torch.arange(n), Y]).mean()")
    expect_close(got, F.cross_entropy(logits, Y_3), f"{what} equals F.cross_entropy", hint=hint)


@check(todo=5, points=2)
def test_stable_nll_loss_extreme(lesson):
    what = ("stable_nll_loss(logits, Y) with rows [1000, 999, 998], [-1000, -1001, -1002], "
            "Y = [1, 0]")
    Y = torch.tensor([1, 0])
    got = lesson.stable_nll_loss(LOGITS_SCALES, Y)
    _expect_scalar(got, what, hint="compute one loss per row, then .mean() over all of them")
    hint = diagnose(_nan_to(got), [
        (torch.tensor(-math.inf, dtype=torch.float64),
         ("subtract each row's own maximum, logits.max(1, keepdim=True).values, not the global "
         "logits.max(): the exponentials of a row far below it all underflow to 0 and log(0) "
         "is -inf")),
        (torch.tensor(math.inf, dtype=torch.float64),
         "log of the softmax underflows: work with log-probabilities, logits - logsumexp"),
        (torch.tensor(-1.0, dtype=torch.float64), OVERFLOW),
    ] + [(_nan_to(wrong), h) for wrong, h in _lse_mistakes(LOGITS_SCALES, Y)],
        default="loss = mean over rows of logsumexp - logits[i, Y[i]]")
    expect_close(got, F.cross_entropy(LOGITS_SCALES, Y), f"{what} equals F.cross_entropy "
                 "(1.4076 and 0.4076: mean 0.9076)", hint=hint)

    logits = torch.tensor([[-100.0, 100.0, 0.0], [100.0, 0.0, -100.0]])
    Y = torch.tensor([0, 2])  # the correct class has -100, another +100: probability exp(-200)
    what = "stable_nll_loss(logits, Y) with rows [-100, 100, 0], [100, 0, -100] and Y = [0, 2]"
    got = lesson.stable_nll_loss(logits, Y)
    _expect_scalar(got, what, hint="compute one loss per row, then .mean() over all of them")
    hint = diagnose(_nan_to(got), [
        (torch.tensor(math.inf, dtype=torch.float64),
         ("log of the softmax underflows: a probability of exp(-200) rounds to 0 in float32 "
         "and its log is -inf; work with log-probabilities, logits - logsumexp")),
        (torch.tensor(-1.0, dtype=torch.float64), OVERFLOW),
    ], default="loss = mean over rows of logsumexp - logits[i, Y[i]]; here each row gives 200")
    expect_close(got, torch.tensor(200.0), f"{what}: each row loses 200", hint=hint)


@check(todo=5, points=2)
def test_stable_nll_loss_names(lesson, words):
    expect_started(lambda: lesson.stable_nll_loss(LOGITS_SMALL, torch.tensor([2, 0])))
    model = names_model(words)
    what = "stable_nll_loss(logits, Y) on all of names.txt (228146 examples)"
    with hints_on_error(what, [],
                        default="keep every intermediate at shape (n, 1) or (n,): m of shape "
                                "(n, 1) plus an (n,) vector broadcasts to an (n, n) matrix, which "
                                "for 228146 examples does not fit in memory; use m.squeeze(1)"):
        got = lesson.stable_nll_loss(model["logits"], model["Y"])
    _expect_scalar(got, what, hint="compute one loss per row, then .mean() over all of them")
    expect_close(got, F.cross_entropy(model["logits"], model["Y"]),
                 f"{what} equals F.cross_entropy(logits, Y), about 19.5052",
                 hint="loss = (logsumexp - logits[torch.arange(n), Y]).mean()")
    logits = model["logits"] * 10  # up to about 390: the naive loss is inf or nan
    got = lesson.stable_nll_loss(logits, model["Y"])
    what = "stable_nll_loss(10 * logits, Y) on names.txt"
    _expect_scalar(got, what, hint="compute one loss per row, then .mean() over all of them")
    expect(bool(torch.isfinite(got)), f"{what} is finite", expected="a finite loss", got=got,
           hint="exp of the raw logits overflows and log of tiny probabilities underflows: "
                "subtract each row's maximum inside logsumexp and stay with log-probabilities")
    expect_close(got, F.cross_entropy(logits, model["Y"]),
                 f"{what} equals F.cross_entropy(10 * logits, Y)",
                 hint="loss = (logsumexp - logits[torch.arange(n), Y]).mean()")


@check(todo=5, points=1)
def test_stable_nll_loss_by_hand_and_gradient(lesson):
    what = "stable_nll_loss(logits, Y) with logits (4, 5), library losses ruled out"
    got = _by_hand(lesson, "stable_nll_loss", [LOGITS_4x5, Y_4], what)
    _expect_scalar(got, what, hint="compute one loss per row, then .mean() over all of them")
    expect_close(got, F.cross_entropy(LOGITS_4x5, Y_4), f"{what} equals F.cross_entropy",
                 hint="loss = (logsumexp - logits[torch.arange(n), Y]).mean()")
    _expect_inputs_unchanged(lesson, "stable_nll_loss", [LOGITS_4x5.clone(), Y_4.clone()],
                             "stable_nll_loss(logits, Y)", "logits -= m, or another in-place "
                             "operation", "logits - m")
    logits = LOGITS_4x5 * 40  # up to about +-300: the gradient must stay finite as well
    _expect_gradient(lesson, "stable_nll_loss", [logits, Y_4],
                     "stable_nll_loss(40 * logits, Y)", F.cross_entropy)
