"""Checks for lesson 07 (lr_finder.py). Run them with:  pytest lessons/07"""

from __future__ import annotations

import functools
import math

import torch

from autograder.cache import expensive
from autograder.checking import (SEED, check, diagnose, draw_device, expect, expect_close,
                                 expect_equal, expect_started, expect_tensor, expect_type,
                                 expect_unmodified, generator, hint_on_error, names_dataset)
from autograder.given.lesson01_bigram import build_vocab
from autograder.given.lesson02_dataset import build_dataset
from autograder.given.lesson06_training import train_step
from autograder.contract import Contract

# What the checks may call, with the parameters, and what grading needs to know
# (autograder.contract).
CONTRACT = Contract(
    functions={
        "lr_sweep":      "params, X, Y, steps, batch_size, generator",
        "suggest_lr":    "lrs, losses, window=20",
        "plot_lr_sweep": "lrs, losses, suggested=None",
    },
)

NAMES = ("C", "W1", "b1", "W2", "b2")

SAME_BATCH = "draw a fresh minibatch for every rate, inside the loop"
LINEAR = ("the rates grow exponentially: lrs = 10 ** torch.linspace(-3, 0, steps), so that "
          "each tenfold range (0.001-0.01, 0.01-0.1, 0.1-1) gets the same number of steps")
EXPONENTS = ("these are the exponents: the rates are 10 ** torch.linspace(-3, 0, steps), "
             "from 0.001 to 1")
FRESH_PARAMS = ("train the same params through the whole sweep (one run whose lr grows), "
                "not a fresh copy for each rate")
NONFINITE = ("once the lr is too large the loss can be inf or nan, and argmin picks a nan: "
             "count every non-finite loss as +inf (torch.isfinite) before smoothing")
MIDDLE = ("return the rate in the middle of the best window, lrs[i + w // 2], where window i "
          "covers losses[i : i + w]")
SMOOTH = ("smooth first: the minimum of the raw, noisy losses is a lucky minibatch; take the "
          "window of w losses with the smallest mean")


def _randn_params(dev: str, vocab_size: int, block_size: int, n_embd: int, n_hidden: int,
                  seed: int) -> dict[str, torch.Tensor]:
    """Lesson 06's init_params, drawn on the device the student sees, kept on the CPU."""
    g = generator(seed, dev)
    shapes = [(vocab_size, n_embd), (block_size * n_embd, n_hidden), (n_hidden,),
              (n_hidden, vocab_size), (vocab_size,)]
    return {k: torch.randn(s, generator=g, device=dev).cpu().requires_grad_()
            for k, s in zip(NAMES, shapes)}


def _copy(params: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone().requires_grad_() for k, v in params.items()}


def _sweep(dev: str, params, X, Y, lrs: torch.Tensor, batch_size: int, seed: int, *,
           once: bool = False, fresh: bool = False) -> tuple[list[float], dict]:
    """Trusted sweep with the reference train_step; the keywords make typical mistakes.

    once=True draws one minibatch for all rates, fresh=True starts every rate from the
    initial params. Returns (losses, params afterwards).
    """
    g = generator(seed, dev)
    trained = _copy(params)
    losses = []
    ix = None
    for lr in lrs.tolist():
        if ix is None or not once:
            ix = torch.randint(0, X.shape[0], (batch_size,), generator=g, device=dev).cpu()
        target = _copy(params) if fresh else trained
        losses.append(train_step(target, X[ix], Y[ix], lr))
    return losses, {k: v.detach() for k, v in trained.items()}


def _tiny_problem(dev: str, seed: int):
    """vocab 4, block_size 2, n_embd 2, n_hidden 3 and 7 examples."""
    params = _randn_params(dev, 4, 2, 2, 3, seed)
    X = torch.tensor([[0, 0], [0, 1], [1, 2], [2, 3], [3, 3], [1, 1], [2, 0]])
    Y = torch.tensor([1, 2, 3, 0, 2, 3, 1])
    return params, X, Y


def names_data(words: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    return names_dataset(words, build_vocab, build_dataset)


def names_sweep(words: list[str], device: str) -> tuple[torch.Tensor, list[float]]:
    """The lecture's sweep: 27/3/2/100 from seed 2147483647, 1000 rates, batches of 32,
    drawn on ``device``."""
    lrs = 10 ** torch.linspace(-3, 0, 1000)
    if device == "cpu":
        return lrs, _names_sweep(tuple(words))
    return lrs, _names_sweep_on(tuple(words), device)


@expensive
def _names_sweep(words: tuple[str, ...]) -> list[float]:
    return _names_sweep_on(words, "cpu")


@functools.lru_cache(maxsize=2)  # a GPU's draws are never kept on disk: other GPUs differ
def _names_sweep_on(words: tuple[str, ...], device: str) -> list[float]:
    X, Y = names_data(words)
    params = _randn_params(device, 27, 3, 2, 100, SEED)
    losses, _ = _sweep(device, params, X, Y, 10 ** torch.linspace(-3, 0, 1000), 32, 42)
    return losses


def _rule(lrs: torch.Tensor, losses: list[float], window: int) -> float:
    """Trusted suggest_lr."""
    L = torch.tensor(losses, dtype=torch.float64)
    L = torch.where(torch.isfinite(L), L, math.inf)
    w = min(window, L.shape[0])
    return float(lrs[int(L.unfold(0, w, 1).mean(1).argmin()) + w // 2])


# --------------------------------------------------------------------------- TODO 1

def _check_sweep(lesson, params, X, Y, steps: int, batch_size: int, seed: int) -> None:
    dev = draw_device(lesson)
    what = f"lr_sweep(params, X, Y, steps={steps}, batch_size={batch_size}, generator " \
           f"seeded {seed})"
    with hint_on_error(what, "make the rates on X's device, torch.linspace(-3, 0, steps, "
                             "device=X.device), draw the indices with torch.randint(0, "
                             "X.shape[0], (batch_size,), generator=generator, "
                             "device=X.device), and pass train_step a number, lr.item()"):
        got = lesson.helper("call_repeatedly", "lr_sweep",
                            [params, X, Y, steps, batch_size, generator(seed, dev)], {}, 1)
    result = got["results"][0]
    expect(isinstance(result, (tuple, list)) and len(result) == 2, what,
           expected="a pair (lrs, losses)", got=str(type(result).__name__),
           hint="return lrs, losses")
    lrs, losses = result
    expected_lrs = 10 ** torch.linspace(-3, 0, steps)
    expect_tensor(lrs, f"{what}: lrs", shape=(steps,), dtype="floating",
                  hint="one rate per step: 10 ** torch.linspace(-3, 0, steps)")
    hint = diagnose(lrs, [
        (torch.linspace(-3, 0, steps), EXPONENTS),
        (torch.linspace(0.001, 1, steps), LINEAR),
    ], default="lrs = 10 ** torch.linspace(-3, 0, steps): from 0.001 to 1, evenly spaced "
               "on a log scale")
    expect_close(lrs, expected_lrs, f"{what}: lrs", atol=1e-7, rtol=1e-5, hint=hint)
    expect_type(losses, list, f"{what}: losses", hint="collect the floats train_step returns "
                                                      "in a list")
    expect(len(losses) == steps, f"{what}: one loss per rate", expected=steps,
           got=len(losses), hint="take one train_step per rate")
    expected, after = _sweep(dev, params, X, Y, expected_lrs, batch_size, seed)
    hint = diagnose(losses, [
        (_sweep(dev, params, X, Y, expected_lrs, batch_size, seed, once=True)[0],
         SAME_BATCH),
        (_sweep(dev, params, X, Y, expected_lrs, batch_size, seed, fresh=True)[0],
         FRESH_PARAMS),
    ], default="for each rate: ix = torch.randint(0, X.shape[0], (batch_size,), "
               "generator=generator) (the given generator, not the global RNG), then "
               "train_step(params, X[ix], Y[ix], lr)")
    expect_close(losses, expected, f"{what}: the losses", hint=hint)
    trained = got["args"][0]
    for k in NAMES:
        expect_close(trained[k], after[k], f"{what}: params[{k!r}] after the sweep",
                     hint=FRESH_PARAMS)


@check(todo=1, points=2)
def test_lr_sweep_small(lesson):
    params, X, Y = _tiny_problem(draw_device(lesson), 21)
    _check_sweep(lesson, params, X, Y, 4, 3, 42)  # rates 0.001, 0.01, 0.1, 1
    _check_sweep(lesson, params, X, Y, 7, 10, 7)  # a second seed; a batch larger than X
    _check_sweep(lesson, params, X, Y, 1, 2, 3)  # one rate: linspace(-3, 0, 1) = [-3]
    what = "lr_sweep(params, X, Y, ...): what it changes"
    expect_unmodified(lesson, "lr_sweep", [params, X, Y, 3, 2, generator(5, lesson)],
                      what=what, expected="X and Y unchanged", only=("X", "Y"),
                      hint="pick each minibatch with X[ix], Y[ix] (a copy); don't edit X or Y")


@check(todo=1, points=3)
def test_lr_sweep_names(lesson, words):
    params, X, Y = _tiny_problem(draw_device(lesson), 21)
    expect_started(lambda: lesson.lr_sweep(params, X, Y, 2, 2, generator(1, lesson)))
    X, Y = names_data(words)
    params = _randn_params(draw_device(lesson), 27, 3, 2, 100, SEED)
    what = ("lr_sweep(params, X, Y, steps=1000, batch_size=32, generator seeded 42): the "
            "lecture's network on names.txt")
    with hint_on_error(what, "make the rates on X's device and pass train_step a number, "
                             "lr.item()"):
        lrs, losses = lesson.lr_sweep(params, X, Y, 1000, 32, generator(42, lesson))
    expected_lrs, expected = names_sweep(words, draw_device(lesson))
    expect_tensor(lrs, f"{what}: lrs", shape=(1000,), dtype="floating")
    expect_close(lrs, expected_lrs, f"{what}: lrs", atol=1e-7, rtol=1e-5,
                 hint="lrs = 10 ** torch.linspace(-3, 0, steps)")
    expect_close([float(lrs[0]), float(lrs[-1])], [0.001, 1.0], f"{what}: first and last rate",
                 hint="from 10**-3 to 10**0")
    expect_type(losses, list, f"{what}: losses")
    expect(len(losses) == 1000, f"{what}: one loss per rate", expected=1000, got=len(losses))
    expect(losses[0] > 10, f"{what}: the first loss (the randn start)", expected="above 10",
           got=losses[0], hint="the first loss is the one before any update")
    # the rates below 0.06 are stable: the losses there match the reference closely
    expect_close(losses[:600], expected[:600], f"{what}: the losses of the first 600 rates",
                 atol=1e-3, rtol=1e-3,
                 hint="for each rate: a fresh minibatch from the generator, then one "
                      "train_step on the same params")


# --------------------------------------------------------------------------- TODO 2

LRS_SMALL = 10 ** torch.linspace(-3, 0, 7)  # 0.001, 0.00316, 0.01, 0.0316, 0.1, 0.316, 1
LOSSES_SMALL = [3.0, 2.5, 2.4, 2.45, 6.0, 1.9, 8.0]
# window 1: the smallest loss is 1.9 at index 5                       -> lrs[5]
# window 3: means 2.633, 2.45, 3.617, 3.45, 5.3; best i = 1             -> lrs[1 + 1] = lrs[2]
# window 20: one window of all 7 losses, i = 0                        -> lrs[0 + 3] = lrs[3]
LOSSES_NAN = [3.0, 2.5, 2.2, 2.1, 2.3, float("nan"), float("inf")]
# window 2: means 2.75, 2.35, 2.15, 2.2, nan/inf, inf; best i = 2       -> lrs[2 + 1] = lrs[3]


def _suggest(lesson, lrs, losses, window, what, hint=None):
    with hint_on_error(what, hint or f"{NONFINITE}; make the tensor of losses on lrs' device "
                                     "(device=lrs.device)"):
        got = lesson.suggest_lr(lrs, losses, window)
    expect_type(got, float, what, hint="return a Python float: float(lrs[...])")
    return got


@check(todo=2, points=2)
def test_suggest_lr_small(lesson):
    what = f"suggest_lr(lrs, {LOSSES_SMALL}, window=1)"
    got = _suggest(lesson, LRS_SMALL, LOSSES_SMALL, 1, what)
    expect_close(got, float(LRS_SMALL[5]), what, hint="with window 1, the rate of the "
                                                      "smallest loss")
    what = f"suggest_lr(lrs, {LOSSES_SMALL}, window=3)"
    got = _suggest(lesson, LRS_SMALL, LOSSES_SMALL, 3, what)
    hint = diagnose(got, [
        (float(LRS_SMALL[5]), SMOOTH),
    ], default=MIDDLE)
    expect_close(got, float(LRS_SMALL[2]), f"{what}: the middle of the window "
                                           "[2.5, 2.4, 2.45] (mean 2.45)", hint=hint)
    what = f"suggest_lr(lrs, {LOSSES_SMALL}, window=20): a window longer than the sweep"
    got = _suggest(lesson, LRS_SMALL, LOSSES_SMALL, 20, what,
                   hint="a window cannot be longer than the sweep: use w = min(window, n)")
    expect_close(got, float(LRS_SMALL[3]), f"{what}: one window of all 7 losses, its middle",
                 hint="use w = min(window, n) losses per window")


@check(todo=2, points=2)
def test_suggest_lr_nonfinite(lesson):
    what = f"suggest_lr(lrs, {LOSSES_NAN}, window=2)"
    got = _suggest(lesson, LRS_SMALL, LOSSES_NAN, 2, what)
    expect_close(got, float(LRS_SMALL[3]), f"{what}: the middle of [2.2, 2.1] (mean 2.15)",
                 hint=NONFINITE if got > float(LRS_SMALL[4]) else MIDDLE)
    # the same as a float32 tensor ending in inf (nan would never compare equal to itself)
    losses = torch.tensor(LOSSES_NAN[:5] + [math.inf, math.inf])
    what = "suggest_lr(lrs, losses, window=2) with a tensor of losses ending in inf"
    with hint_on_error(what, f"{NONFINITE}; make the tensor of losses on lrs' device "
                             "(device=lrs.device)"):
        result = expect_unmodified(
            lesson, "suggest_lr", [LRS_SMALL, losses, 2],
            what=f"{what}: the arguments are left as they were",
            expected="lrs and losses unchanged",
            hint="torch.as_tensor(losses) shares memory with a tensor passed in: replace the "
                 "non-finite values with torch.where (a new tensor), not in place")
    expect_type(result, float, what, hint="return a Python float: float(lrs[...])")
    expect_close(result, float(LRS_SMALL[3]), f"{what}: the middle of [2.2, 2.1] (mean 2.15)",
                 hint=NONFINITE if result > float(LRS_SMALL[4]) else MIDDLE)


@check(todo=2, points=2)
def test_suggest_lr_names(lesson, words):
    expect_started(lambda: lesson.suggest_lr(LRS_SMALL, LOSSES_SMALL, 1))
    lrs, losses = names_sweep(words, draw_device(lesson))
    what = "suggest_lr(lrs, losses) for the lecture's sweep on names.txt (1000 rates)"
    got = _suggest(lesson, lrs, losses, 20, what)
    expected = _rule(lrs, losses, 20)
    hint = diagnose(got, [
        (float(lrs[int(torch.tensor(losses).argmin())]), SMOOTH),
    ], default=MIDDLE)
    expect_close(got, expected, what, hint=hint)
    expect(0.05 <= got <= 0.3, f"{what}: the valley", expected="between 0.05 and 0.3",
           got=got, hint=MIDDLE)
    got = lesson.suggest_lr(lrs, losses)
    expect_close(got, expected, "suggest_lr(lrs, losses) with the default window",
                 hint="the default window is 20")


# --------------------------------------------------------------------------- TODO 3

def _figure(lesson, lrs, losses, suggested, what) -> dict:
    with hint_on_error(what, "build the figure with matplotlib.figure.Figure() and "
                             "fig.add_subplot(); plot CPU numbers (lrs.cpu())"):
        info = lesson.helper("figure_info", "plot_lr_sweep", lrs, losses, suggested)
    expect(info["type"] == "Figure", f"{what} returns a matplotlib Figure", expected="Figure",
           got=info["type"], hint="return the Figure itself (fig), not the Axes or None")
    expect(len(info["axes"]) == 1, f"{what}: one Axes", expected=1, got=len(info["axes"]),
           hint="fig.add_subplot() once")
    ax = info["axes"][0]
    expect(len(ax["lines"]) >= 1, f"{what}: a line", expected="the sweep drawn as a line",
           got="no line", hint="ax.plot(lrs, losses)")
    xy = ax["lines"][0]
    n = len(losses)
    expected = torch.stack([torch.as_tensor(lrs, dtype=torch.float64),
                            torch.tensor(list(losses), dtype=torch.float64)], 1)
    expect_tensor(xy, f"{what}: the first line's points", shape=(n, 2),
                  hint="one point per rate: ax.plot(lrs, losses)")
    hint = diagnose(xy, [
        (torch.stack([expected[:, 0].log10(), expected[:, 1]], 1),
         "plot the rates themselves on a log axis, not their exponents (log10 of the rates)"),
        (torch.stack([torch.arange(n, dtype=torch.float64), expected[:, 1]], 1),
         "plot the losses against the rates (ax.plot(lrs, losses)), not against the step "
         "number"),
        (expected.flip(1), "x is the learning rate and y the loss: ax.plot(lrs, losses)"),
    ], default="the line's points are (lrs[i], losses[i])")
    expect_close(xy, expected, f"{what}: the line holds the sweep's data", hint=hint)
    expect(ax["xscale"] == "log", f"{what}: the x axis", expected="log scale",
           got=ax["xscale"], hint='the rates span three powers of ten: ax.set_xscale("log")')
    expect("learning rate" in ax["xlabel"].lower() or "lr" in ax["xlabel"].lower(),
           f"{what}: the x label", expected="'learning rate'", got=repr(ax["xlabel"]),
           hint='ax.set_xlabel("learning rate")')
    expect("loss" in ax["ylabel"].lower(), f"{what}: the y label", expected="'loss'",
           got=repr(ax["ylabel"]), hint='ax.set_ylabel("loss")')
    return ax


@check(todo=3, points=2)
def test_plot_lr_sweep_small(lesson):
    lrs = torch.tensor([0.001, 0.01, 0.1, 1.0])
    losses = [3.0, 2.0, 2.5, 6.0]
    what = "plot_lr_sweep(lrs, losses, suggested=0.01) with 4 rates"
    ax = _figure(lesson, lrs, losses, 0.01, what)
    expect(len(ax["texts"]) >= 1, f"{what}: a text label for the suggested rate",
           expected="a text", got="none", hint='ax.text(suggested, y, f"lr {suggested:.3g}")')
    xs = [x for x, _ in ax["text_positions"]]
    expect(any(math.isclose(x, 0.01, rel_tol=1e-6) for x in xs),
           f"{what}: the label's position", expected="x = 0.01 (the suggested rate)",
           got=f"x = {xs}", hint="put the label at x = suggested (data coordinates), "
                                 "next to its vertical line")
    expect(any(torch.allclose(line[:, 0], torch.full_like(line[:, 0], 0.01))
               for line in ax["lines"][1:]),
           f"{what}: a vertical line at the suggested rate", expected="a line at x = 0.01",
           got=f"{len(ax['lines']) - 1} other lines", hint="ax.axvline(suggested)")
    ax = _figure(lesson, lrs, losses, None, "plot_lr_sweep(lrs, losses) without a suggestion")
    expect_equal(ax["texts"], [], "plot_lr_sweep(lrs, losses) without a suggestion: no label",
                 hint="draw the label only when suggested is not None")


@check(todo=3, points=1)
def test_plot_lr_sweep_names(lesson, words):
    expect_started(lambda: lesson.helper("figure_info", "plot_lr_sweep",
                                         torch.tensor([0.01, 0.1]), [2.0, 3.0], None))
    lrs, losses = names_sweep(words, draw_device(lesson))
    suggested = _rule(lrs, losses, 20)
    what = "plot_lr_sweep(lrs, losses, suggested) for the lecture's sweep (1000 rates)"
    ax = _figure(lesson, lrs, losses, suggested, what)
    xs = [x for x, _ in ax["text_positions"]]
    expect(any(math.isclose(x, suggested, rel_tol=1e-6) for x in xs),
           f"{what}: the label's position", expected=f"x = {suggested:.4g}", got=f"x = {xs}",
           hint="put the label at x = suggested (data coordinates)")
