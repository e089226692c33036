"""Checks for lesson 06 (training.py). Run them with:  pytest lessons/06"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from autograder.cache import expensive
from autograder.checking import (SEED, check, diagnose, draw_device, expect, expect_close,
                                 expect_equal, expect_started, expect_tensor, expect_type,
                                 expect_unmodified, generator, hint_on_error, matches,
                                 names_dataset)
from autograder.contract import Contract
from autograder.given.lesson01_bigram import build_vocab
from autograder.given.lesson02_dataset import build_dataset

# What the checks may call, with the parameters, and what grading needs to know
# (autograder.contract).
CONTRACT = Contract(
    functions={
        "init_params":   "vocab_size, block_size, n_embd, n_hidden, generator",
        "forward":       "params, X",
        "train_step":    "params, X, Y, lr",
        "overfit_batch": "params, X, Y, steps, lr",
        "train":         "params, X, Y, steps, batch_size, lr, generator, progress=False",
    },
)

NAMES = ("C", "W1", "b1", "W2", "b2")

# TODO 2: vocabulary 3, block_size 2, n_embd 2, n_hidden 2; every number is easy to follow.
C_SMALL = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
W1_SMALL = torch.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, -1.0], [0.5, 0.0]])
B1_SMALL = torch.tensor([0.0, 1.0])
W2_SMALL = torch.tensor([[1.0, 0.0, -1.0], [0.0, 2.0, 1.0]])
B2_SMALL = torch.tensor([0.5, 0.0, -0.5])
X_SMALL = torch.tensor([[1, 2], [0, 1], [2, 2]])
# emb rows flattened: [1, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 1]
# pre-activations:    [1.5, 1],     [0, 0],       [0.5, 3]
PRE_SMALL = torch.tensor([[1.5, 1.0], [0.0, 0.0], [0.5, 3.0]])

# the wrong answers of train_step and friends, each with the hint that names it
ACCUMULATE = ("gradients accumulate across steps: backward() adds to .grad, so set "
              "p.grad = None (or zero it) for every parameter before each backward()")
WRONG_SIGN = ("the lr was applied with the wrong sign: step against the gradient, "
              "p -= lr * p.grad (the loss went up)")
LOSS_AFTER = ("return the loss computed before the update (the one you called backward() "
              "on), not a loss recomputed afterwards")
NOT_UPDATED = ("the parameters did not change: `p = p - lr * p.grad` only rebinds a name; "
               "update each tensor in place, p -= lr * p.grad, under torch.no_grad()")
NO_GRAD = ("update the parameters inside `with torch.no_grad():` (an in-place change of a "
           "leaf that requires grad is refused outside it), and only after loss.backward()")
GRAPH_UPDATE = ("after the first step a parameter had no .grad: the update built a graph "
                "(params[k] = p - lr * p.grad makes a new tensor that is not a leaf). Update "
                "the leaf in place, p -= lr * p.grad, under torch.no_grad()")
NOT_FLOAT = ("return the loss as a Python float, loss.item(), not the tensor (a tensor keeps "
             "its whole graph alive in the list of losses)")
STABLE = ("compute the loss with F.cross_entropy(logits, Y): a hand-written softmax "
          "overflows for large logits (exp(100) is inf in float32)")


def _randn_params(lesson, vocab_size: int, block_size: int, n_embd: int, n_hidden: int,
                  seed: int) -> dict[str, torch.Tensor]:
    """Trusted init_params: five randn draws in the order C, W1, b1, W2, b2 (on CPU)."""
    g = generator(seed, lesson)
    shapes = [(vocab_size, n_embd), (block_size * n_embd, n_hidden), (n_hidden,),
              (n_hidden, vocab_size), (vocab_size,)]
    return {k: torch.randn(s, generator=g, device=draw_device(lesson)).cpu().requires_grad_()
            for k, s in zip(NAMES, shapes)}


def _forward(params: dict[str, torch.Tensor], X: torch.Tensor) -> torch.Tensor:
    """Trusted forward pass."""
    emb = params["C"][X]
    h = torch.tanh(emb.reshape(X.shape[0], -1) @ params["W1"] + params["b1"])
    return h @ params["W2"] + params["b2"]


def _copy(params: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone().requires_grad_() for k, v in params.items()}


def _sgd(params: dict[str, torch.Tensor], batches: list[tuple[torch.Tensor, torch.Tensor]],
         lr: float, *, zero: bool = True, sign: float = -1.0,
         after: bool = False) -> tuple[list[float], dict[str, torch.Tensor]]:
    """Trusted steps of gradient descent on a copy of ``params``, one per batch.

    The keywords make the typical mistakes: zero=False lets gradients accumulate,
    sign=+1 climbs the gradient, after=True reports the loss after each update.
    Returns (losses, params afterwards).
    """
    params = _copy(params)
    losses = []
    for X, Y in batches:
        if zero:
            for p in params.values():
                p.grad = None
        loss = F.cross_entropy(_forward(params, X), Y)
        loss.backward()
        with torch.no_grad():
            for p in params.values():
                p += sign * lr * p.grad
            if after:
                loss = F.cross_entropy(_forward(params, X), Y)
        losses.append(loss.item())
    return losses, {k: v.detach() for k, v in params.items()}


def _loss(params: dict[str, torch.Tensor], X: torch.Tensor, Y: torch.Tensor) -> float:
    with torch.no_grad():
        return F.cross_entropy(_forward(params, X), Y).item()


def _sgd_mistakes(params, batches, lr) -> list[tuple[list[float], str]]:
    """The losses of the typical train_step mistakes on these batches, with their hints."""
    return [
        (_sgd(params, batches, lr, zero=False)[0], ACCUMULATE),
        (_sgd(params, batches, lr, sign=1.0)[0], WRONG_SIGN),
        (_sgd(params, batches, lr, after=True)[0], LOSS_AFTER),
        (_sgd(params, batches, 0.0)[0], NOT_UPDATED),
    ]


def _expect_losses(got, n: int, what: str) -> None:
    expect_type(got, list, what, hint="return a list holding one loss per step")
    expect(len(got) == n, f"{what}: one loss per step", expected=f"{n} losses",
           got=f"{len(got)} losses", hint="call train_step once per step, range(steps), and "
                                          "keep every loss")
    for loss in got:
        expect_type(loss, float, f"{what}: each loss", hint=NOT_FLOAT)


def _expect_params(got, expected: dict[str, torch.Tensor], what: str, hint: str,
                   atol: float = 1e-5) -> None:
    """``got`` holds the parameters ``expected``, leaves that still require grad."""
    expect_type(got, dict, what, hint="params is a dict of tensors; keep its keys")
    expect(sorted(got) == sorted(expected), f"{what}: the keys of params",
           expected=sorted(expected), got=sorted(got), hint="update the tensors of params; "
                                                             "don't add or remove keys")
    for k in NAMES:
        expect_tensor(got[k], f"{what}: params[{k!r}]", shape=tuple(expected[k].shape),
                      dtype=torch.float32, hint=hint)
        expect(got[k].requires_grad, f"{what}: params[{k!r}] still requires grad",
               expected="requires_grad=True", got="requires_grad=False",
               hint="keep the parameters as leaves that require grad: update them in place "
                    "under torch.no_grad(), don't replace them with detached copies")
        expect_close(got[k], expected[k], f"{what}: params[{k!r}]", atol=atol, hint=hint)


def names_data(words: list[str], block_size: int = 3,
               first: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    return names_dataset(words, build_vocab, build_dataset, block_size, first)


# --------------------------------------------------------------------------- TODO 1

def _check_init(lesson, sizes: tuple[int, int, int, int], seed: int) -> dict:
    what = f"init_params{sizes + ('generator',)} with seed {seed}"
    with hint_on_error(what, "W1 has block_size * n_embd rows: one per number of a "
                             "flattened context"):
        got = lesson.init_params(*sizes, generator(seed, lesson))
    expected = _randn_params(lesson, *sizes, seed)
    expect_type(got, dict, what, hint='return a dict {"C": C, "W1": W1, "b1": b1, "W2": W2, '
                                      '"b2": b2}')
    expect(sorted(got) == sorted(NAMES), f"{what}: the keys", expected=sorted(NAMES),
           got=sorted(got), hint="the keys are the lecture's names C, W1, b1, W2, b2")
    for k in NAMES:
        expect_tensor(got[k], f"{what}: {k}", shape=tuple(expected[k].shape),
                      dtype=torch.float32,
                      hint="C (vocab_size, n_embd), W1 (block_size * n_embd, n_hidden), b1 "
                           "(n_hidden,), W2 (n_hidden, vocab_size), b2 (vocab_size,)")
        expect(got[k].requires_grad, f"{what}: {k} requires grad", expected=True, got=False,
               hint="create every parameter with requires_grad=True (or call "
                    ".requires_grad_() on it): training needs its gradient")
    values = [got[k] for k in NAMES]
    g = generator(seed, lesson)
    uniform = [torch.rand(tuple(v.shape), generator=g, device=draw_device(lesson)).cpu()
               for v in values]
    hint = diagnose(values, [
        (uniform, "torch.rand draws uniformly from [0, 1); the parameters are standard "
                  "normal: torch.randn"),
    ], default="draw C, W1, b1, W2, b2 in this order, each with torch.randn(shape, "
               "generator=generator): the same generator (not the global RNG, nor a new one "
               "seeded by you) makes the checks' numbers")
    expect_close(values, [expected[k].detach() for k in NAMES],
                 f"{what}: C, W1, b1, W2, b2", hint=hint)
    return got


@check(todo=1, points=2)
def test_init_params_small(lesson):
    _check_init(lesson, (5, 2, 3, 4), 42)
    _check_init(lesson, (5, 2, 3, 4), 7)  # a second seed: the generator must be used
    _check_init(lesson, (4, 1, 2, 3), 1)  # block_size 1
    _check_init(lesson, (6, 5, 1, 2), 3)  # block_size 5, n_embd 1


@check(todo=1, points=2)
def test_init_params_lecture(lesson):
    for sizes, count in [((27, 3, 2, 100), 3481), ((27, 3, 10, 200), 11897)]:
        got = _check_init(lesson, sizes, SEED)
        n = sum(t.numel() for t in got.values())
        expect(n == count, f"init_params{sizes + ('generator',)}: number of parameters",
               expected=count, got=n, hint="C (27, n_embd), W1 (3 * n_embd, n_hidden), b1 "
                                           "(n_hidden,), W2 (n_hidden, 27), b2 (27,)")
    if draw_device(lesson) == "cpu":
        expect_close(got["C"][0], torch.tensor([1.5674, -0.2373, -0.0274, -1.1008, 0.2859,
                                                -0.0296, -1.5471, 0.6049, 0.0791, 0.9046]),
                     "C[0] for 27/3/10/200 and seed 2147483647", atol=1e-4,
                     hint="draw C first, with torch.randn((vocab_size, n_embd), "
                          "generator=generator)")


# --------------------------------------------------------------------------- TODO 2

def _small_params() -> dict[str, torch.Tensor]:
    return {"C": C_SMALL, "W1": W1_SMALL, "b1": B1_SMALL, "W2": W2_SMALL, "b2": B2_SMALL}


@check(todo=2, points=2)
def test_forward_small(lesson):
    params = _small_params()
    what = "forward(params, X) with C (3, 2), W1 (4, 2), X (3, 2): block_size 2, n_embd 2"
    with hint_on_error(what, "flatten each context with emb.view(X.shape[0], -1): the "
                             "lecture's view(-1, 6) only fits block_size 3 with n_embd 2"):
        logits = expect_unmodified(
            lesson, "forward", [params, X_SMALL],
            what=f"{what}: the arguments are left as they were",
            expected="params and X unchanged",
            hint="forward only reads params and X: no in-place operation (+=, tanh_, add_) on "
                 "a parameter or on X")
    expect_tensor(logits, what, shape=(3, 3), dtype=torch.float32,
                  hint="one row of vocab_size logits per example: h @ W2 + b2")
    expected = torch.tanh(PRE_SMALL) @ W2_SMALL + B2_SMALL
    emb = C_SMALL[X_SMALL]
    swapped = emb.transpose(1, 2).reshape(3, -1)  # the numbers of a context in the wrong order
    hint = diagnose(logits, [
        (PRE_SMALL @ W2_SMALL + B2_SMALL, "apply tanh to the hidden layer: h = "
                                          "torch.tanh(emb @ W1 + b1)"),
        (torch.tanh(PRE_SMALL - B1_SMALL) @ W2_SMALL + B2_SMALL, "add the bias b1 inside the "
                                                                 "tanh"),
        (torch.tanh(PRE_SMALL) @ W2_SMALL, "add the bias b2 to the logits"),
        (torch.relu(PRE_SMALL) @ W2_SMALL + B2_SMALL, "the hidden layer is tanh, not relu"),
        (torch.tanh(swapped @ W1_SMALL + B1_SMALL) @ W2_SMALL + B2_SMALL,
         "the numbers of a context are out of order: flatten emb (n, block_size, n_embd) "
         "with emb.view(n, -1), which lays the block_size vectors side by side"),
    ], default="emb = C[X]; h = tanh(emb.view(n, -1) @ W1 + b1); logits = h @ W2 + b2")
    expect_close(logits, expected, what, hint=hint)


@check(todo=2, points=2)
def test_forward_gradients(lesson):
    params = _small_params()
    what = "forward(params, X): the gradient of the logits reaches every parameter"
    weights = torch.tensor([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0], [-1.0, 0.0, 2.0]])
    got = lesson.helper("call_with_grad", "forward", [params, X_SMALL], {}, weights)
    expect(got["graph"], what, expected="logits that require grad", got="no graph",
           hint="the logits must stay connected to the parameters: no torch.no_grad(), "
                ".detach(), .data or .item() in forward")
    leaves = _copy(params)
    (_forward(leaves, X_SMALL) * weights).sum().backward()
    grads = got["grads"][0]
    for k in NAMES:
        g = grads.get(k) if isinstance(grads, dict) else None
        expect(g is not None, f"{what}: params[{k!r}].grad", expected="a gradient",
               got="None", hint=f"use params[{k!r}] itself in forward, not .data or a "
                                f"detached copy, so the gradient reaches it")
        expect_close(g, leaves[k].grad, f"{what}: params[{k!r}].grad",
                     hint="emb = C[X]; h = tanh(emb.view(n, -1) @ W1 + b1); "
                          "logits = h @ W2 + b2")


@check(todo=2, points=2)
def test_forward_names(lesson, words):
    expect_started(lambda: lesson.forward(_small_params(), X_SMALL))
    X, Y = names_data(words, 3, 5)
    params = _randn_params(lesson, 27, 3, 2, 100, SEED)
    what = "forward(params, X) on the first five names (32 examples), 27/3/2/100"
    with hint_on_error(what, "flatten each context with emb.view(X.shape[0], -1)"):
        logits = lesson.forward(params, X)
    expect_tensor(logits, what, shape=(32, 27), dtype=torch.float32)
    expect_close(logits, _forward(params, X), what, atol=1e-4,
                 hint="emb = C[X]; h = tanh(emb.view(n, -1) @ W1 + b1); logits = h @ W2 + b2")
    if draw_device(lesson) == "cpu":
        expect_close(F.cross_entropy(logits, Y).item(), 17.7697,
                     f"{what}: F.cross_entropy(logits, Y), the lecture's first loss",
                     atol=1e-3, rtol=0, hint="logits = h @ W2 + b2")
    # beyond the lecture: block_size 5, n_embd 4 on 1000 names
    X, _ = names_data(words, 5, 1000)
    params = _randn_params(lesson, 27, 5, 4, 30, 5)
    what = "forward(params, X) with block_size 5, n_embd 4, n_hidden 30 on 1000 names"
    with hint_on_error(what, "flatten each context with emb.view(X.shape[0], -1): the "
                             "lecture's view(-1, 6) only fits block_size 3 with n_embd 2"):
        logits = lesson.forward(params, X)
    expect_tensor(logits, what, shape=(X.shape[0], 27), dtype=torch.float32)
    expect_close(logits, _forward(params, X), what, atol=1e-4,
                 hint="emb = C[X]; h = tanh(emb.view(n, -1) @ W1 + b1); logits = h @ W2 + b2")


# --------------------------------------------------------------------------- TODO 3

def _tiny_problem(lesson, seed: int) -> tuple[dict, torch.Tensor, torch.Tensor]:
    """vocab 4, block_size 2, n_embd 2, n_hidden 3 and 5 examples."""
    params = _randn_params(lesson, 4, 2, 2, 3, seed)
    X = torch.tensor([[0, 0], [0, 1], [1, 2], [2, 3], [3, 3]])
    Y = torch.tensor([1, 2, 3, 0, 2])
    return params, X, Y


def _check_steps(lesson, params, X, Y, lr: float, times: int, what: str,
                 atol: float = 1e-5) -> list[float]:
    """Call train_step ``times`` times on the same params; check losses and params."""
    with hint_on_error(what, f"{NO_GRAD}. If this failed at a later step: {GRAPH_UPDATE}"):
        got = lesson.helper("call_repeatedly", "train_step", [params, X, Y, lr], {}, times)
    losses = got["results"]
    _expect_losses(losses, times, what)
    changed = got["args"][0]
    stale = [k for k in NAMES if isinstance(changed, dict) and k in changed
             and torch.equal(changed[k].detach(), params[k].detach())]
    expect(not stale, f"{what}: every parameter is updated", expected="all five changed",
           got=f"unchanged: {', '.join(stale)}",
           hint=NOT_UPDATED if len(stale) == len(NAMES) else
           "update every parameter: loop over params.values(), so the gradient of each one "
           "(also the biases and C) is used")
    expected, after = _sgd(params, [(X, Y)] * times, lr)
    hint = diagnose(losses, _sgd_mistakes(params, [(X, Y)] * times, lr),
                    default="set grads to None, loss = F.cross_entropy(forward(params, X), Y), "
                            "loss.backward(), then p -= lr * p.grad under torch.no_grad()")
    expect_close(losses, expected, f"{what}: the losses of the {times} steps", atol=atol,
                 hint=hint)
    _expect_params(changed, after, f"{what}: params after the steps", atol=atol,
                   hint="p -= lr * p.grad for every parameter, once per step")
    return losses


@check(todo=3, points=3)
def test_train_step_small(lesson):
    params, X, Y = _tiny_problem(lesson, 11)
    _check_steps(lesson, params, X, Y, 0.5, 3,
                 "train_step(params, X, Y, lr=0.5) three times on 5 examples")
    # the inputs X and Y are not changed; params is (in place)
    what = "train_step(params, X, Y, lr=0.5): what it changes"
    got = lesson.helper("call_unmodified", "train_step", [params, X, Y, 0.5])
    expect(got["modified"] == ["params"], what, expected="params changed, X and Y unchanged",
           got=f"changed: {', '.join(got['modified']) or 'nothing'}",
           hint="update the parameters in place (p -= lr * p.grad) and leave X and Y alone")


@check(todo=3, points=2)
def test_train_step_names(lesson, words):
    expect_started(lambda: lesson.train_step(*_tiny_problem(lesson, 11), 0.1))
    X, Y = names_data(words, 3, 5)
    params = _randn_params(lesson, 27, 3, 2, 100, SEED)
    losses = _check_steps(lesson, params, X, Y, 0.1, 5,
                          "train_step(params, X, Y, lr=0.1) five times on the first five "
                          "names (32 examples)", atol=1e-4)
    if draw_device(lesson) == "cpu":
        expect_close(losses[0], 17.7697, "the first loss of the lecture's network", atol=1e-3,
                     rtol=0, hint="return the loss before the update")
    # beyond the lecture: block_size 4, n_embd 3, and an lr that is not 0.1
    X, Y = names_data(words, 4, 20)
    params = _randn_params(lesson, 27, 4, 3, 16, 9)
    _check_steps(lesson, params, X, Y, 0.05, 4,
                 "train_step(params, X, Y, lr=0.05) with block_size 4, n_embd 3 on 20 names",
                 atol=1e-4)


@check(todo=3, points=2)
def test_train_step_large_logits(lesson):
    params, X, Y = _tiny_problem(lesson, 12)
    params = {k: (v.detach() * (60.0 if k == "W2" else 1.0)).requires_grad_()
              for k, v in params.items()}  # logits of about +-100
    what = "train_step(params, X, Y, lr=0.001) with logits around +-100"
    with hint_on_error(what, f"{STABLE}; {NO_GRAD}"):
        got = lesson.helper("call_repeatedly", "train_step", [params, X, Y, 0.001], {}, 2)
    losses = got["results"]
    _expect_losses(losses, 2, what)
    expect(all(math.isfinite(v) for v in losses), f"{what}: the losses are finite",
           expected="finite losses", got=losses, hint=STABLE)
    expected, after = _sgd(params, [(X, Y)] * 2, 0.001)
    expect_close(losses, expected, what, atol=1e-3, hint=STABLE)
    _expect_params(got["args"][0], after, f"{what}: params after two steps", atol=1e-4,
                   hint=f"finite gradients need a stable loss: {STABLE}")


# --------------------------------------------------------------------------- TODO 4

@check(todo=4, points=2)
def test_overfit_batch_small(lesson):
    params, X, Y = _tiny_problem(lesson, 13)
    what = "overfit_batch(params, X, Y, steps=4, lr=0.5) on 5 examples"
    got = lesson.helper("call_repeatedly", "overfit_batch", [params, X, Y, 4, 0.5], {}, 1)
    losses = got["results"][0]
    expected, after = _sgd(params, [(X, Y)] * 4, 0.5)
    _expect_losses(losses, 4, what)
    hint = diagnose(losses, [
        (_sgd(params, [(X, Y)] * 4, 0.1)[0], "use the lr you were given, not 0.1"),
    ] + _sgd_mistakes(params, [(X, Y)] * 4, 0.5),
        default="losses = [train_step(params, X, Y, lr) for _ in range(steps)]")
    expect_close(losses, expected, what, hint=hint)
    _expect_params(got["args"][0], after, f"{what}: params afterwards",
                   hint="take every step on the same params with train_step")
    what = "overfit_batch(params, X, Y, steps=0, lr=0.5)"
    got = lesson.helper("call_repeatedly", "overfit_batch", [params, X, Y, 0, 0.5], {}, 1)
    expect_equal(got["results"][0], [], what, hint="zero steps: no losses, an empty list")
    _expect_params(got["args"][0], params, f"{what}: params", hint="zero steps change nothing")


@check(todo=4, points=2)
def test_overfit_batch_names(lesson, words):
    expect_started(lambda: lesson.overfit_batch(*_tiny_problem(lesson, 13), 1, 0.1))
    X, Y = names_data(words, 3, 5)
    params = _randn_params(lesson, 27, 3, 2, 100, SEED)
    what = ("overfit_batch(params, X, Y, steps=600, lr=0.1) with the lecture's network on the "
            "first five names (32 examples)")
    with hint_on_error(what, NO_GRAD):
        losses = lesson.overfit_batch(params, X, Y, 600, 0.1)
    _expect_losses(losses, 600, what)
    expect(losses[0] > 10, f"{what}: the first loss (the randn start)", expected="above 10",
           got=losses[0], hint="the first loss is the loss before any update")
    expect(losses[-1] < 0.5, f"{what}: the last loss", expected="well below 0.5 (about 0.26)",
           got=losses[-1], hint="take every step on the same 32 examples and the same params, "
                                "with lr; 3481 parameters can memorise 32 examples")
    expect_close(losses[-1], _sgd(params, [(X, Y)] * 600, 0.1)[0][-1], f"{what}: the last loss",
                 atol=2e-3, rtol=0, hint="losses = [train_step(params, X, Y, lr) for _ in "
                                         "range(steps)]")


# --------------------------------------------------------------------------- TODO 5

def _minibatches(lesson, X, Y, steps: int, batch_size: int, seed: int, *, high: int | None = None,
                 once: bool = False) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The batches train must use: torch.randint with the generator, one draw per step."""
    g = generator(seed, lesson)
    out = []
    for _ in range(steps):
        if not once or not out:
            ix = torch.randint(0, X.shape[0] if high is None else high, (batch_size,),
                               generator=g, device=draw_device(lesson)).cpu()
        out.append((X[ix], Y[ix]))
    return out


def _check_train(lesson, params, X, Y, steps: int, batch_size: int, lr: float, seed: int,
                 what: str) -> None:
    with hint_on_error(what, "draw the indices with torch.randint(0, X.shape[0], "
                             "(batch_size,), generator=generator, device=X.device)"):
        got = lesson.helper("call_repeatedly", "train",
                            [params, X, Y, steps, batch_size, lr, generator(seed, lesson)],
                            {}, 1)
    losses = got["results"][0]
    _expect_losses(losses, steps, what)
    batches = _minibatches(lesson, X, Y, steps, batch_size, seed)
    expected, after = _sgd(params, batches, lr)
    if not matches(losses, expected):
        _expect_train_losses(lesson, losses, expected, params, X, Y, steps, batch_size, lr,
                             seed, what)
    _expect_params(got["args"][0], after, f"{what}: params afterwards",
                   hint="one train_step per step, on the same params")


def _expect_train_losses(lesson, losses, expected, params, X, Y, steps: int, batch_size: int,
                         lr: float, seed: int, what: str) -> None:
    """Fail on train's wrong losses with the hint of the mistake that gives them (full-batch
    steps on all of X cost seconds on names.txt: only made for a wrong answer)."""
    hint = diagnose(losses, [
        (_sgd(params, [(X, Y)] * steps, lr)[0], "each step uses a random minibatch of "
                                                "batch_size rows, not the whole of X"),
        (_sgd(params, _minibatches(lesson, X, Y, steps, batch_size, seed, once=True), lr)[0],
         "draw a fresh minibatch at every step, inside the loop"),
        (_sgd(params, _minibatches(lesson, X, Y, steps, batch_size, seed,
                                   high=X.shape[0] - 1), lr)[0],
         "torch.randint's high is exclusive: torch.randint(0, X.shape[0], ...) already "
         "reaches the last row"),
    ], default="draw ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator) at "
               "every step (the given generator, not the global RNG, nor one seeded by you), "
               "then train_step(params, X[ix], Y[ix], lr)")
    expect_close(losses, expected, what, hint=hint)


@check(todo=5, points=2)
def test_train_small(lesson):
    params, X, Y = _tiny_problem(lesson, 14)
    X = torch.cat([X, torch.tensor([[1, 1], [2, 0]])])
    Y = torch.cat([Y, torch.tensor([3, 1])])  # 7 examples
    _check_train(lesson, params, X, Y, 4, 3, 0.5, 42,
                 "train(params, X, Y, steps=4, batch_size=3, lr=0.5, generator seeded 42)")
    _check_train(lesson, params, X, Y, 3, 10, 0.2, 7,  # a batch larger than X: with replacement
                 "train(params, X, Y, steps=3, batch_size=10, lr=0.2, generator seeded 7)")
    what = "train(params, X, Y, steps=0, batch_size=3, lr=0.5, generator)"
    got = lesson.train(params, X, Y, 0, 3, 0.5, generator(1, lesson))
    expect_equal(got, [], what, hint="zero steps: no losses, an empty list")
    what = "train(params, X, Y, ...): what it changes"
    expect_unmodified(lesson, "train", [params, X, Y, 2, 3, 0.5, generator(2, lesson)],
                      what=what, expected="X and Y unchanged", only=("X", "Y"),
                      hint="pick the minibatch with X[ix], Y[ix] (a copy); don't shuffle or "
                           "edit X, Y")


@check(todo=5, points=3)
def test_train_names(lesson, words):
    params, X, Y = _tiny_problem(lesson, 14)
    expect_started(lambda: lesson.train(params, X, Y, 1, 2, 0.1, generator(1, lesson)))
    X, Y = names_data(words)
    params = _randn_params(lesson, 27, 3, 2, 100, SEED)
    # first three steps, compared with the reference, so a wrong loop fails fast (a step on
    # all 228146 examples instead of a minibatch would take minutes for 2000 steps)
    _check_train(lesson, params, X, Y, 3, 128, 0.2, 42,
                 "train(params, X, Y, steps=3, batch_size=128, lr=0.2, generator seeded 42) "
                 "on names.txt")
    what = ("train on names.txt (the lecture's network, batch 128): 1200 steps with lr 0.2, "
            "then 800 with lr 0.05")
    with hint_on_error(what, "draw the indices with torch.randint(0, X.shape[0], "
                             "(batch_size,), generator=generator, device=X.device)"):
        first = lesson.helper("call_repeatedly", "train",
                              [params, X, Y, 1200, 128, 0.2, generator(42, lesson)], {}, 1)
        second = lesson.helper("call_repeatedly", "train",
                               [first["args"][0], X, Y, 800, 128, 0.05, generator(43, lesson)],
                               {}, 1)
    losses = first["results"][0] + second["results"][0]
    _expect_losses(losses, 2000, what)
    expect(losses[0] > 10, f"{what}: the first minibatch loss (the randn start)",
           expected="above 10", got=losses[0], hint="the first loss comes before any update")
    trained = second["args"][0]
    expect_type(trained, dict, what, hint="update the tensors of params in place")
    full = _loss(trained, X, Y)
    expect(full < 2.6, f"{what}: the loss on all 228146 examples afterwards",
           expected="below 2.6 (about 2.48)", got=full,
           hint="draw a fresh random minibatch at every step with the generator and take one "
                "train_step on it; the parameters must be updated in place")
