"""Checks for lesson 09 (experiments.py). Run them with:  pytest lessons/09

E01 is judged by training: the check validates the configuration your ``e01_config``
returns and trains it with the course's own trainer (``autograder.trainer``), in the
checks' process, never in yours. The trainer calls none of this lesson's functions.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from autograder.checking import (SEED, check, diagnose, expect, expect_close, expect_started,
                                 expect_tensor, expect_type, expect_unmodified, fail,
                                 generator, hint_on_error, names_dataset, names_splits,
                                 one_thread)
from autograder.given.lesson01_bigram import build_vocab
from autograder.given.lesson02_dataset import build_dataset
from autograder.given.lesson08_splits import evaluate, split_datasets
from autograder.given.lesson06_training import train
from autograder.cache import expensive
from autograder.trainer import MAX_SECONDS, config_problems, estimated_seconds, train_config
from autograder.contract import Contract

# What the checks may call, with the parameters, and what grading needs to know
# (autograder.contract).
CONTRACT = Contract(
    functions={
        "plot_embeddings": "C, itos",
        "plot_loss_curve": "losses",
        "step_decay":      "step, base_lr=0.1, milestones=(100000,), gamma=0.1",
        "e01_config":      "",
        "uniform_loss":    "vocab_size",
        "init_uniform":    "vocab_size, block_size, n_embd, n_hidden, generator",
        "forward_direct":  "params, X",
        "compare_direct":  ("X, Y, Xdev, Ydev, n_embd, n_hidden, steps, batch_size, lr, generator, "
                            "progress=False"),
    },
)

LN27 = math.log(27)  # 3.295837: the loss of a uniform prediction over 27 symbols


# =========================================================================== small data

# A vocabulary that is not names.txt's: 4 symbols, a 2-D table with easy coordinates.
ITOS4 = {0: "#", 1: "x", 2: "Q", 3: "7"}
C4 = torch.tensor([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25], [2.0, 2.5]])


def _names_itos(words: list[str]) -> dict[int, str]:
    return build_vocab(list(words))[1]


def _figure_axes(info: dict, what: str, hint: str) -> dict:
    """The one Axes of a figure_info result."""
    expect(info["type"] == "Figure", f"{what} returns a matplotlib Figure",
           expected="Figure", got=info["type"], hint=hint)
    expect(len(info["axes"]) == 1, f"{what}: the figure has one Axes",
           expected=1, got=len(info["axes"]), hint=hint)
    return info["axes"][0]


def _same_points(got: torch.Tensor, expected: torch.Tensor, atol: float = 1e-4) -> bool:
    """The same (n, 2) points, in row order or in any order."""
    if tuple(got.shape) != tuple(expected.shape):
        return False
    got, expected = got.double(), expected.double()
    if torch.allclose(got, expected, atol=atol, rtol=0):
        return True

    def rows_sorted(t: torch.Tensor) -> torch.Tensor:
        order = sorted(range(t.shape[0]), key=lambda i: t[i].tolist())
        return t[order]

    return torch.allclose(rows_sorted(got), rows_sorted(expected), atol=atol, rtol=0)


# =========================================================================== TODO 1

def _expect_embedding_plot(info: dict, C: torch.Tensor, itos: dict[int, str], what: str) -> None:
    ax = _figure_axes(info, what, "make a Figure(), add one Axes with fig.add_subplot(), draw "
                                  "on it and return the Figure")
    points = C.detach().double()
    scatters = [c for c in ax["collections"] if c.shape[0] > 0]
    expect(len(scatters) >= 1, f"{what}: a scatter of the points", expected=f"{len(C)} points",
           got="no scatter", hint="ax.scatter(C[:, 0], C[:, 1]) draws one dot per character")
    if not any(_same_points(c, points) for c in scatters):
        got = scatters[0]
        hint = diagnose(got, [(points.flip(1), "x is the first column C[:, 0], y the second "
                                               "C[:, 1]: the points are mirrored"),
                              (points[:2].T.contiguous(), "scatter the columns C[:, 0] and "
                                                          "C[:, 1], not the rows C[0] and C[1]")],
                        default="one dot per row i of C, at (C[i, 0], C[i, 1])")
        fail(f"{what}: the scatter's points are the rows of C", expected=points, got=got,
             hint=hint)
    texts, positions = ax["texts"], ax["text_positions"]
    expected_texts = [itos[i] for i in range(len(itos))]
    expect(sorted(texts) == sorted(expected_texts),
           f"{what}: one text per character, the characters of itos",
           expected=expected_texts, got=texts,
           hint="write itos[i] for every row i of C with ax.text; the characters come from "
                "itos, not from a fixed alphabet")
    for i, s in enumerate(expected_texts):
        where = [p for t, p in zip(texts, positions) if t == s]
        x, y = points[i].tolist()
        if not any(abs(px - x) <= 1e-4 and abs(py - y) <= 1e-4 for px, py in where):
            hint = ("x is C[i, 0] and y is C[i, 1]: the labels are mirrored"
                    if any(abs(px - y) <= 1e-4 and abs(py - x) <= 1e-4 for px, py in where)
                    else "write itos[i] at row i's point, ax.text(C[i, 0], C[i, 1], itos[i]), "
                         "so each character labels its own dot")
            fail(f"{what}: the text {s!r} stands at its point (C[{i}, 0], C[{i}, 1])",
                 expected=(x, y), got=where, hint=hint)


@check(todo=1, points=2)
def test_plot_embeddings_small(lesson):
    what = "plot_embeddings(C, itos) for 4 symbols '#', 'x', 'Q', '7'"
    with hint_on_error(what, "C is a tensor: take its columns C[:, 0] and C[:, 1] (moved to "
                             "the CPU with .tolist() or .detach().cpu()) for scatter and text"):
        info = lesson.helper("figure_info", "plot_embeddings", C4, ITOS4)
    _expect_embedding_plot(info, C4, ITOS4, what)
    C = C4.double() * 10  # float64, and other coordinates
    info = lesson.helper("figure_info", "plot_embeddings", C, ITOS4)
    _expect_embedding_plot(info, C, ITOS4, "plot_embeddings(10 * C, itos) with a float64 C")


@check(todo=1, points=2)
def test_plot_embeddings_names(lesson, words):
    itos = _names_itos(words)
    for seed in (SEED, 42):
        C = torch.randn((27, 2), generator=generator(seed))
        what = f"plot_embeddings(C, itos) for names.txt's 27 characters (C drawn with seed {seed})"
        with hint_on_error(what, "take the columns C[:, 0] and C[:, 1] of the table (with "
                                 ".detach(), since a trained C requires grad) for scatter and "
                                 "text"):
            info = lesson.helper("figure_info", "plot_embeddings", C.requires_grad_(True), itos)
        _expect_embedding_plot(info, C, itos, what)


# =========================================================================== TODO 2

def _expect_loss_curve(info: dict, losses: list[float], what: str) -> None:
    ax = _figure_axes(info, what, "make a Figure(), add one Axes with fig.add_subplot(), plot "
                                  "on it and return the Figure")
    n = len(losses)
    lines = [line for line in ax["lines"] if line.shape[0] > 0]
    if n == 0:
        expect(not lines, f"{what}: no points for an empty list", expected="no points",
               got=lines, hint="plot one point per loss")
        return
    expect(len(lines) == 1, f"{what}: one line", expected="1 line with points",
           got=f"{len(lines)} lines", hint="one ax.plot(steps, log10 losses) call")
    got = lines[0]
    raw = torch.tensor(losses, dtype=torch.float64)
    steps = torch.arange(n, dtype=torch.float64)
    log10 = torch.stack([steps, raw.log10()], 1)
    plain = torch.stack([steps, raw], 1)
    if ax["yscale"] == "log" and matches_line(got, plain):
        return  # the raw losses on a log-scaled y axis: the same picture
    hint = diagnose(got, [
        (torch.stack([steps, raw.log()], 1),
         "that is the natural log: the curve is log10(loss) (math.log10 or .log10())"),
        (plain, "plot log10(loss), not the loss itself (or set ax.set_yscale('log'))"),
        (torch.stack([steps + 1, raw.log10()], 1),
         "the steps count from 0 (range(len(losses))), like the losses' positions"),
    ], default="one point (step, log10(loss)) per loss, steps 0, 1, 2, ...")
    expect(matches_line(got, log10), f"{what}: the line's points are (step, log10(loss))",
           expected=log10, got=got, hint=hint)
    expect(bool(ax["xlabel"]) and bool(ax["ylabel"]), f"{what}: both axes are labelled",
           expected="an x label and a y label", got=(ax["xlabel"], ax["ylabel"]),
           hint="ax.set_xlabel('step'), ax.set_ylabel('log10(loss)')")


def matches_line(got: torch.Tensor, expected: torch.Tensor) -> bool:
    return tuple(got.shape) == tuple(expected.shape) and bool(
        torch.allclose(got.double(), expected, atol=1e-5, rtol=1e-5))


@check(todo=2, points=2)
def test_plot_loss_curve_small(lesson):
    losses = [10.0, 1.0, 0.1, 100.0]  # log10: 1, 0, -1, 2
    what = "plot_loss_curve([10.0, 1.0, 0.1, 100.0])"
    with hint_on_error(what, "losses is a list of floats: math.log10(loss) for each, or "
                             "torch.tensor(losses).log10()"):
        info = lesson.helper("figure_info", "plot_loss_curve", losses)
    _expect_loss_curve(info, losses, what)
    info = lesson.helper("figure_info", "plot_loss_curve", [2.5])
    _expect_loss_curve(info, [2.5], "plot_loss_curve([2.5]), a single loss")


@check(todo=2, points=1)
def test_plot_loss_curve_training(lesson):
    g = generator()
    steps = torch.arange(3000, dtype=torch.float64)
    # a made-up training curve: from about 27 down to about 2.1, with minibatch noise
    noise = 1 + 0.1 * torch.rand(3000, generator=g, dtype=torch.float64)
    losses = ((25 * torch.exp(-steps / 50) + 2.1) * noise).tolist()
    what = "plot_loss_curve(losses) for 3000 training steps"
    info = lesson.helper("figure_info", "plot_loss_curve", losses)
    _expect_loss_curve(info, losses, what)
    what = "plot_loss_curve([]) (no steps yet)"
    with hint_on_error(what, "an empty list of losses gives an empty line: nothing to skip"):
        info = lesson.helper("figure_info", "plot_loss_curve", [])
    _expect_loss_curve(info, [], what)


# =========================================================================== TODO 3

def _expect_lr(got: Any, expected: float, what: str, hint: str) -> None:
    expect_type(got, float, what, hint="return a Python float, e.g. float(base_lr * ...)")
    expect_close(got, expected, what, atol=1e-12, rtol=1e-9, hint=hint)


@check(todo=3, points=2)
def test_step_decay_lecture(lesson):
    cases = [(0, 0.1), (1, 0.1), (99_999, 0.1), (100_000, 0.01), (150_000, 0.01),
             (199_999, 0.01)]
    for step, expected in cases:
        what = f"step_decay({step}) with the lecture's defaults"
        got = lesson.step_decay(step)
        hint = diagnose(got, [
            (0.1 if step == 100_000 else None,
             "step 100000 is already trained with the decayed rate: a milestone m counts "
             "once step >= m (the lecture's `0.1 if i < 100000 else 0.01`)"),
            (0.01 if step < 100_000 else None, "before the first milestone the rate is base_lr"),
        ], default="lr = base_lr * gamma ** (number of milestones m with m <= step)")
        _expect_lr(got, expected, what, hint)


@check(todo=3, points=2)
def test_step_decay_milestones(lesson):
    kwargs = {"base_lr": 0.5, "milestones": (10, 20, 30), "gamma": 0.5}
    cases = [(0, 0.5), (9, 0.5), (10, 0.25), (19, 0.25), (20, 0.125), (29, 0.125),
             (30, 0.0625), (1000, 0.0625)]
    for step, expected in cases:
        what = f"step_decay({step}, base_lr=0.5, milestones=(10, 20, 30), gamma=0.5)"
        got = lesson.step_decay(step, **kwargs)
        reached = sum(1 for m in kwargs["milestones"] if m <= step)
        hint = diagnose(got, [
            (0.25 if reached >= 1 else None,
             "multiply by gamma once per milestone reached: gamma ** k, not gamma once"),
            (0.5 * 0.5 * reached if reached >= 2 else None,
             "multiply by gamma once per milestone reached: gamma ** k, not gamma * k"),
            (0.01 if reached else None, "use the arguments base_lr, milestones and gamma, not "
                                        "the lecture's numbers"),
            (0.1 if not reached else None, "use the arguments base_lr, milestones and gamma, "
                                           "not the lecture's numbers"),
        ], default="lr = base_lr * gamma ** (number of milestones m with m <= step)")
        _expect_lr(got, expected, what, hint)
    got = lesson.step_decay(500, base_lr=0.3, milestones=(), gamma=0.1)
    _expect_lr(got, 0.3, "step_decay(500, base_lr=0.3, milestones=(), gamma=0.1): no milestones",
               "with no milestones the rate stays base_lr")


# =========================================================================== TODO 4

def _student_config(lesson) -> dict:
    with hint_on_error("e01_config()", "return a dict of plain data: ints, floats, strings "
                                       "and a list of ints for milestones"):
        config = lesson.e01_config()
    expect_type(config, dict, "e01_config()", hint="return a dict such as {'block_size': 3, "
                                                   "'n_embd': 10, ...} (see the docstring)")
    return config


@check(todo=4, points=2)
def test_e01_config_valid(lesson):
    config = _student_config(lesson)
    problems = config_problems(config)
    if problems:
        fail("e01_config(): the configuration is checked before training: "
             + "; ".join(problems), expected="a valid configuration within the budget",
             got=config, hint=problems[0])
    expect(estimated_seconds(config) <= MAX_SECONDS, "e01_config(): within the time budget",
           expected=f"<= {MAX_SECONDS:.0f} s", got=f"{estimated_seconds(config):.1f} s")


@check(todo=4, points=4, slow=True)
def test_e01_config_trains(lesson, words):
    config = _student_config(lesson)
    problems = config_problems(config)
    if problems:
        fail("e01_config(): not trained, the configuration is invalid: " + "; ".join(problems),
             expected="a valid configuration within the budget", got=config, hint=problems[0])
    data = names_splits(words, build_vocab, split_datasets, config["block_size"])
    result = train_config(config, data)  # the course's trainer, in the checks' process
    expect(math.isfinite(result["dev"]) and result["dev"] <= 2.2,
           f"e01_config() trained by the course's trainer ({result['parameters']} parameters, "
           f"{result['seconds']:.1f} s on one thread, train loss {result['train']:.4f}): the "
           f"dev loss is at most 2.2",
           expected="dev loss <= 2.2", got=f"dev loss {result['dev']:.4f}",
           hint="more steps or a larger batch within the budget, a learning rate from lesson "
                "07's finder, a step or one-cycle schedule; if the loss is nan, lower lr")


# =========================================================================== TODO 5

@check(todo=5, points=1)
def test_uniform_loss_27(lesson):
    got = lesson.uniform_loss(27)
    what = "uniform_loss(27)"
    expect_type(got, float, what, hint="return a Python float: math.log gives one")
    hint = diagnose(got, [
        (math.log10(27), "that is log10: the loss uses the natural log, math.log"),
        (math.log2(27), "that is log2: the loss uses the natural log, math.log"),
        (-LN27, "the loss is MINUS the log probability: -log(1/27) is positive"),
        (1 / 27, "that is the probability itself: the loss is -log(1/27)"),
    ], default="every symbol has probability 1/27, the loss is -log(1/27) = ln 27")
    expect_close(got, LN27, f"{what}: ln 27 = 3.2958", atol=1e-9, hint=hint)


@check(todo=5, points=1)
def test_uniform_loss_other_sizes(lesson):
    for V, expected in ((65, 4.174387), (2, 0.693147), (1, 0.0), (1000, 6.907755)):
        got = lesson.uniform_loss(V)
        what = f"uniform_loss({V})"
        expect_type(got, float, what, hint="return a Python float: math.log gives one")
        hint = diagnose(got, [(LN27, "use the argument vocab_size, not 27")],
                        default="-log(1 / vocab_size) = ln(vocab_size)")
        expect_close(got, expected, f"{what}: ln {V}", atol=1e-6, hint=hint)


# =========================================================================== TODO 6

SHAPES = ("C", "W1", "b1", "W2", "b2")


def _shapes(V: int, block_size: int, n_embd: int, n_hidden: int) -> dict[str, tuple]:
    return {"C": (V, n_embd), "W1": (block_size * n_embd, n_hidden), "b1": (n_hidden,),
            "W2": (n_hidden, V), "b2": (V,)}


def _init(lesson, V: int, block_size: int, n_embd: int, n_hidden: int, seed: int) -> dict:
    what = f"init_uniform({V}, {block_size}, {n_embd}, {n_hidden}, generator seeded {seed})"
    with hint_on_error(what, "draw with torch.randn(shape, generator=generator), then scale; "
                             "W1 has block_size * n_embd rows"):
        params = lesson.init_uniform(V, block_size, n_embd, n_hidden, generator(seed))
    expect_type(params, dict, what, hint="return a dict {'C': ..., 'W1': ..., ...}")
    expect(sorted(params) == sorted(SHAPES), f"{what}: the keys", expected=sorted(SHAPES),
           got=sorted(params), hint="lesson 06's names: C, W1, b1, W2, b2")
    for name, shape in _shapes(V, block_size, n_embd, n_hidden).items():
        expect_tensor(params[name], f"{what}[{name!r}]", shape=shape, dtype=torch.float32,
                      hint=f"{name} has shape {shape}, float32"
                      + ("; W1 has block_size * n_embd rows" if name == "W1" else ""))
        expect(bool(params[name].requires_grad), f"{what}[{name!r}] requires grad",
               expected="requires_grad=True", got="requires_grad=False",
               hint="call p.requires_grad_(True) on each parameter after scaling it (a "
                    "scaled tensor is not a leaf)")
    return params


@check(todo=6, points=2)
def test_init_uniform_first_loss(lesson, words):
    first = None
    for seed in (SEED, 42):
        params = _init(lesson, 27, 3, 10, 200, seed)
        X, Y = names_dataset(words, build_vocab, build_dataset)  # all 228146 examples
        loss = evaluate(params, X, Y)
        what = (f"the step-0 loss on names.txt (228146 examples, block_size 3, n_embd 10, "
                f"n_hidden 200, seed {seed})")
        hint = ("make the logits nearly equal: W2 times 0.01 and b2 zero (times 0), so that "
                "every character starts with probability close to 1/27; the lecture's plain "
                "randn start gives large logits and a loss far above ln 27")
        expect(abs(loss - LN27) <= 0.05, f"{what} is within 0.05 of ln 27 = 3.2958",
               expected="3.2458 .. 3.3458", got=f"{loss:.4f}", hint=hint)
        if first is not None:
            expect(not torch.equal(first["C"], params["C"]) and not torch.equal(
                first["W1"], params["W1"]), "init_uniform with seeds 2147483647 and 42: "
                "C and W1 differ", expected="different draws", got="the same tensors",
                hint="draw every parameter with generator=generator, not the global RNG or a "
                     "generator of your own")
        first = params
    again = _init(lesson, 27, 3, 10, 200, 42)
    expect(all(torch.equal(again[k], first[k]) for k in SHAPES),
           "init_uniform twice with seed 42 gives the same parameters",
           expected="equal tensors", got="different tensors",
           hint="draw every parameter with generator=generator (the global RNG gives other "
                "numbers each call)")


@check(todo=6, points=2)
def test_init_uniform_learns(lesson, words):
    params = _init(lesson, 27, 3, 10, 200, 7)
    data = names_splits(words, build_vocab, split_datasets)
    (Xtr, Ytr), (Xdev, Ydev) = data["train"], data["dev"]
    leaves = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    with one_thread():  # lesson 06's reference minibatch SGD
        train(leaves, Xtr, Ytr, steps=500, batch_size=32, lr=0.1, generator=generator(7))
    dev = evaluate(leaves, Xdev, Ydev)
    expect(dev < 2.65, "500 steps of lesson 06's train (batch 32, lr 0.1) from "
                       "init_uniform(27, 3, 10, 200, seed 7): the dev loss falls below 2.65",
           expected="< 2.65 (about 2.47 from the lecture's fixed start)", got=f"{dev:.4f}",
           hint="the network must still be able to learn: keep C, W1 and b1 random (drawn "
                "with the generator) so that the hidden units differ; only the output "
                "layer starts small")
    for V, block_size, n_embd, n_hidden in ((5, 1, 7, 30), (5, 4, 3, 16), (5, 5, 2, 50)):
        g = generator(V + block_size)
        X = torch.randint(0, V, (400, block_size), generator=g)
        Y = torch.randint(0, V, (400,), generator=g)
        params = _init(lesson, V, block_size, n_embd, n_hidden, SEED)
        loss = evaluate(params, X, Y)
        expect(abs(loss - math.log(V)) <= 0.05,
               f"init_uniform({V}, {block_size}, {n_embd}, {n_hidden}): the step-0 loss on "
               f"400 random examples is within 0.05 of ln {V} = {math.log(V):.4f}",
               expected=f"{math.log(V):.4f}", got=f"{loss:.4f}",
               hint="use the arguments for every shape; W2 small and b2 zero make the "
                    "logits nearly equal for any vocabulary")


# =========================================================================== TODO 7

# vocabulary 3, block_size 2, n_embd 2, n_hidden 4: hand-sized numbers
SMALL = {
    "C": torch.tensor([[0.0, 1.0], [1.0, -1.0], [0.5, 0.5]]),
    "W1": torch.tensor([[0.1, -0.2, 0.3, 0.0], [0.2, 0.1, -0.1, 0.4],
                        [-0.3, 0.2, 0.1, 0.1], [0.0, 0.3, 0.2, -0.2]]),
    "b1": torch.tensor([0.1, 0.0, -0.1, 0.2]),
    "W2": torch.tensor([[1.0, -1.0, 0.5], [0.5, 0.0, -0.5], [-1.0, 1.0, 0.0],
                        [0.0, 0.5, 1.0]]),
    "b2": torch.tensor([0.1, -0.1, 0.0]),
    "Wd": torch.tensor([[1.0, 0.0, -1.0], [0.0, 2.0, 0.0], [0.5, 0.5, 0.5], [-1.0, 0.0, 1.0]]),
}
X_SMALL = torch.tensor([[0, 0], [0, 1], [1, 2], [2, 2], [2, 0]])


def direct_logits(params: dict, X: torch.Tensor, direct: bool = True) -> torch.Tensor:
    """Trusted logits of the MLP with (or without) the direct connections, in float64."""
    p = {k: v.detach().double() for k, v in params.items()}
    x = p["C"][X].reshape(X.shape[0], -1)
    logits = torch.tanh(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    return logits + x @ p["Wd"] if direct else logits


def _direct_params(V: int, block_size: int, n_embd: int, n_hidden: int, seed: int,
                   scale: float = 1.0) -> dict[str, torch.Tensor]:
    g = generator(seed)
    shapes = _shapes(V, block_size, n_embd, n_hidden)
    shapes["Wd"] = (block_size * n_embd, V)
    return {k: torch.randn(s, generator=g) * (scale if k == "C" else 1.0)
            for k, s in shapes.items()}


def _expect_direct(got: Any, params: dict, X: torch.Tensor, what: str) -> None:
    V = params["C"].shape[0]
    expect_tensor(got, what, shape=(X.shape[0], V), dtype="floating",
                  hint="one row of vocab_size logits per context")
    expected = direct_logits(params, X)
    x = params["C"].double()[X].reshape(X.shape[0], -1)
    hint = diagnose(got.double(), [
        (direct_logits(params, X, direct=False),
         "the direct term is missing: add x @ Wd, with x the concatenated embeddings"),
        (torch.tanh(x @ params["W1"].double() + params["b1"].double()) @ params["W2"].double()
         + x @ params["Wd"].double(), "add the bias b2 as well"),
        (direct_logits(params, X, direct=False) - x @ params["Wd"].double(),
         "add the direct term x @ Wd, don't subtract it"),
    ], default="logits = tanh(x @ W1 + b1) @ W2 + b2 + x @ Wd, x = C[X].view(n, -1)")
    expect_close(got.double(), expected, what, atol=1e-4, rtol=1e-4, hint=hint)


@check(todo=7, points=2)
def test_forward_direct_small(lesson):
    what = "forward_direct(params, X) for vocabulary 3, block_size 2, n_embd 2, n_hidden 4"
    with hint_on_error(what, "x = C[X].view(n, block_size * n_embd) is (n, 4); Wd is (4, 3), "
                             "so x @ Wd is (n, 3) like the logits"):
        got = lesson.forward_direct(SMALL, X_SMALL)
    _expect_direct(got, SMALL, X_SMALL, what)
    zero = {**SMALL, "Wd": torch.zeros(4, 3)}
    got_zero = lesson.forward_direct(zero, X_SMALL)
    expect_close(got_zero.double(), direct_logits(SMALL, X_SMALL, direct=False),
                 "forward_direct with Wd = 0 equals the plain MLP of lesson 06", atol=1e-5,
                 hint="the direct term x @ Wd is zero when Wd is zero: nothing else changes")
    expect(not torch.allclose(got.double(), got_zero.double()),
           "forward_direct: the direct weights Wd change the output",
           expected="different logits for Wd != 0", got="the same logits",
           hint="add x @ Wd to the logits")
    expect_unmodified(lesson, "forward_direct", [SMALL, X_SMALL],
                      what=f"{what} leaves params and X unchanged",
                      hint="don't write into the parameters or X (no in-place += on a "
                           "parameter, no X.clamp_ or view assignment)")


@check(todo=7, points=2)
def test_forward_direct_gradients(lesson):
    params = _direct_params(5, 3, 4, 8, SEED)
    X = torch.randint(0, 5, (12, 3), generator=generator(1))
    weights = torch.randn((12, 5), generator=generator(2))
    what = "forward_direct(params, X): gradients of (logits * w).sum()"
    out = lesson.helper("call_with_grad", "forward_direct", [params, X], {}, weights)
    expect(out["graph"], f"{what}: the logits are differentiable", expected="a graph",
           got="a result without grad", hint="no .item(), .detach() or torch.no_grad() in "
                                             "forward_direct: training needs the graph")
    grads = out["grads"][0]
    leaves = {k: v.double().requires_grad_(True) for k, v in params.items()}
    x = leaves["C"][X].reshape(12, -1)
    ((torch.tanh(x @ leaves["W1"] + leaves["b1"]) @ leaves["W2"] + leaves["b2"] + x @ leaves["Wd"])
     * weights.double()).sum().backward()
    for name in ("Wd", "C", "W1", "b1", "W2", "b2"):
        got = grads[name]
        expect(got is not None, f"{what}: {name} receives a gradient", expected="a gradient",
               got="None", hint=f"{name} must take part in the logits"
                                + (": add x @ Wd" if name == "Wd" else ""))
        expect_close(got.double(), leaves[name].grad, f"{what}: the gradient of {name}",
                     atol=1e-4, hint="the extra weights reach the logits through x @ Wd, and "
                                     "through x the gradient also reaches C"
                     if name in ("Wd", "C") else "logits = tanh(x @ W1 + b1) @ W2 + b2 + x @ Wd")


@check(todo=7, points=2)
def test_forward_direct_sizes(lesson):
    for V, block_size, n_embd, n_hidden, n in ((5, 1, 7, 6, 9), (5, 4, 3, 10, 7),
                                               (27, 5, 2, 100, 11)):
        params = _direct_params(V, block_size, n_embd, n_hidden, V + block_size)
        X = torch.randint(0, V, (n, block_size), generator=generator(block_size))
        what = (f"forward_direct(params, X) for vocabulary {V}, block_size {block_size}, "
                f"n_embd {n_embd}, n_hidden {n_hidden}")
        with hint_on_error(what, "flatten with the sizes of X and C: C[X].view(X.shape[0], -1)"
                                 ", not the lecture's 3 * 10"):
            got = lesson.forward_direct(params, X)
        _expect_direct(got, params, X, what)
    params = _direct_params(6, 3, 4, 20, 3, scale=60.0)  # |x| around 60: tanh saturates
    X = torch.randint(0, 6, (10, 3), generator=generator(4))
    what = "forward_direct(params, X) with embeddings of size about 60 (tanh saturates)"
    got = lesson.forward_direct(params, X)
    expect(bool(torch.isfinite(got).all()), f"{what} is finite", expected="finite logits",
           got=got, hint="use torch.tanh: a hand-written (exp(2a) - 1) / (exp(2a) + 1) "
                         "overflows for large arguments and gives nan")
    _expect_direct(got, params, X, what)


COMPARE = dict(n_embd=5, n_hidden=40, steps=150, batch_size=32, lr=0.1)


def _compare_data(words) -> tuple[torch.Tensor, ...]:
    """E03's data: the first 20000 training and 5000 dev examples of names.txt."""
    data = names_splits(words, build_vocab, split_datasets)
    (Xtr, Ytr), (Xdev, Ydev) = data["train"], data["dev"]
    return Xtr[:20000], Ytr[:20000], Xdev[:5000], Ydev[:5000]


@expensive
def _compare_expected(words: tuple[str, ...], seed: int) -> dict[str, dict]:
    """What compare_direct must return on E03's data with COMPARE's settings."""
    return _compare_reference(*_compare_data(words), seed=seed, **COMPARE)


def _compare_reference(X, Y, Xdev, Ydev, n_embd, n_hidden, steps, batch_size, lr,
                       seed) -> dict[str, dict]:
    """What compare_direct must return, computed with the trusted logits above."""
    g = generator(seed)
    block_size = X.shape[1]
    start = {"C": torch.randn((27, n_embd), generator=g),
             "W1": torch.randn((block_size * n_embd, n_hidden), generator=g),
             "b1": torch.randn(n_hidden, generator=g),
             "W2": torch.randn((n_hidden, 27), generator=g),
             "b2": torch.randn(27, generator=g),
             "Wd": torch.zeros((block_size * n_embd, 27))}
    state = g.get_state()
    report = {}
    for name, trained in (("plain", SHAPES), ("direct", (*SHAPES, "Wd"))):
        g.set_state(state)
        p = {k: v.clone().requires_grad_(k in trained) for k, v in start.items()}
        for _ in range(steps):
            ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)
            x = p["C"][X[ix]].view(batch_size, -1)
            logits = torch.tanh(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"] + x @ p["Wd"]
            loss = F.cross_entropy(logits, Y[ix])
            for k in trained:
                p[k].grad = None
            loss.backward()
            with torch.no_grad():
                for k in trained:
                    p[k] -= lr * p[k].grad
        report[name] = {"train": F.cross_entropy(direct_logits(p, X), Y).item(),
                        "dev": F.cross_entropy(direct_logits(p, Xdev), Ydev).item()}
    return report


@check(todo=7, points=2)
def test_forward_direct_trained(lesson, words):
    expect_started(lambda: lesson.forward_direct(SMALL, X_SMALL))
    Xtr, Ytr, Xdev, Ydev = _compare_data(words)
    for seed in (SEED, 42):
        args = COMPARE
        what = (f"compare_direct (E03's experiment on 20000 training examples, 150 steps, "
                f"seed {seed}) with your forward_direct")
        with hint_on_error(what, "compare_direct calls forward_direct(params, X[ix]) on "
                                 "minibatches: make the small forward_direct checks pass first"):
            got = expect_unmodified(
                lesson, "compare_direct", [Xtr, Ytr, Xdev, Ydev],
                {**args, "generator": generator(seed)}, what=f"{what} leaves the data unchanged",
                hint="forward_direct must not write into X (no X.clamp_ or other in-place "
                     "operation on its inputs)")
        expected = _compare_expected(tuple(words), seed)
        expect_type(got, dict, what)
        hint = ("the direct model must differ from the plain one: add x @ Wd in forward_direct"
                if isinstance(got.get("direct"), dict) and got["direct"] == got.get("plain")
                else "forward_direct = tanh(x @ W1 + b1) @ W2 + b2 + x @ Wd; the gradient must "
                     "reach every parameter")
        expect_close(got, expected, f"{what}: train and dev losses of both models",
                     atol=2e-3, rtol=0, hint=hint)
