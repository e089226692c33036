"""Checks for lesson 10 (sampling.py). Run them with:  pytest lessons/10"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from autograder.cache import expensive
from autograder.checking import (SEED, check, diagnose, draw_device, expect, expect_close,
                                 expect_equal, expect_started, expect_tensor, expect_unmodified,
                                 generator, hint_on_error, names_splits)
from autograder.given.lesson01_bigram import build_vocab
from autograder.given.lesson08_splits import split_datasets
from autograder.given.lesson06_training import forward, init_params, train
from autograder.contract import Contract

# What the checks may call, with the parameters, and what grading needs to know
# (autograder.contract).
CONTRACT = Contract(
    functions={
        "next_char_probs": "params, context",
        "sample":          "params, itos, block_size, n, generator",
    },
)

ITOS_ABC = {0: ".", 1: "A", 2: "B", 3: "C"}  # a vocabulary that is not a-z
ITOS_6 = {0: ".", 1: "x", 2: "7", 3: "Q", 4: "é", 5: "-"}

DEVICE_HINT = ("create X on the parameters' device, torch.tensor([context], "
               "device=params['C'].device); forward takes a batch, X of shape (1, block_size)")
NO_GRAPH = ("sampling needs no gradients: compute the probabilities under torch.no_grad(), so "
            "no graph is built")
MULTINOMIAL = ("draw each character with torch.multinomial(probs, num_samples=1, "
               "generator=generator), one call per character, nothing else drawn from the "
               "generator")
GENERATOR = ("pass generator=generator to torch.multinomial: the global random generator (or "
             "one seeded by you) gives other names than the generator that was passed in")


def _abac_params() -> dict[str, torch.Tensor]:
    """block_size 2, vocabulary '.ABC': the model spells "ABAC" with probability ~0.995.

    C and W1 turn the context into its one-hot positions (tanh(10) is 1.0 in float32);
    W2 scores the next character from the newest character (rows 4-7) and, after a
    'B', favours 'C' strongly (row 2). b2 gives '.' probability about 1/1000 in every
    context, so a sampler that never slides still ends its names.
    """
    W2 = torch.zeros(8, 4)
    W2[4 + 0, 1] = 20.0  # newest '.' -> 'A'
    W2[4 + 1, 2] = 20.0  # newest 'A' -> 'B'
    W2[4 + 2, 1] = 20.0  # newest 'B' -> 'A'
    W2[4 + 3, 0] = 20.0  # newest 'C' -> '.'
    W2[2, 3] = 40.0      # oldest 'B' -> 'C' beats everything
    b2 = torch.tensor([20.0 - math.log(999.0), 0.0, 0.0, 0.0])
    params = {"C": torch.eye(4), "W1": 10.0 * torch.eye(8), "b1": torch.zeros(8), "W2": W2,
              "b2": b2}
    return {k: v.requires_grad_(True) for k, v in params.items()}


def _random_params(vocab_size: int, block_size: int, seed: int) -> dict[str, torch.Tensor]:
    """A small untrained model with tame logits: names of a few characters."""
    params = init_params(vocab_size, block_size, 3, 16, generator(seed))
    with torch.no_grad():
        params["W2"] *= 0.3
        params["b2"][0] = -1.0  # '.' a little less likely than the other characters
    return params


def _trained(words: list[str]) -> dict[str, torch.Tensor]:
    """_trained_params, as leaves that require grad (the parameters of a model)."""
    return {k: v.detach().clone().requires_grad_(True)
            for k, v in _trained_params(tuple(words)).items()}


@expensive
def _trained_params(words: tuple[str, ...]) -> dict[str, torch.Tensor]:
    """The lecture's network (block 3, n_embd 10, n_hidden 200) trained for 2000 steps.

    The course's trainer on the train split, from a tame start (the output layer and W1
    scaled down, as lesson 11 explains), so that 2000 steps reach a dev loss near 2.35.
    """
    X, Y = names_splits(words, build_vocab, split_datasets)["train"]
    params = init_params(27, 3, 10, 200, generator(SEED))
    with torch.no_grad():
        params["W2"] *= 0.01
        params["b2"] *= 0
        params["W1"] *= 0.2
    train(params, X, Y, 2000, 32, 0.1, generator(SEED))
    return {k: v.detach() for k, v in params.items()}


def _probs(params: dict[str, torch.Tensor], context: list[int]) -> torch.Tensor:
    device = params["C"].device
    with torch.no_grad():
        return F.softmax(forward(params, torch.tensor([context], device=device)), dim=1)[0]


def _trusted_sample(params: dict[str, torch.Tensor], itos: dict[int, str], block_size: int,
                    n: int, seed: int, device: str = "cpu", *, slide: str = "slide",
                    pick: str = "multinomial", keep_dot: bool = False,
                    reset: bool = True, cap: int | None = None) -> list[str] | None:
    """The sampling loop, and (with the keyword options) the loops of typical mistakes.

    ``cap`` bounds a name's length for the mistaken loops; a name longer than that
    makes the result None ("this mistake would not have stopped").
    """
    params = {k: v.detach().to(device) for k, v in params.items()}
    g = generator(seed, device)
    names = []
    context = [0] * block_size
    for _ in range(n):
        if reset:
            context = [0] * block_size
        out = []
        while True:
            probs = _probs(params, context)
            if pick == "argmax":
                ix = int(probs.argmax())
            else:
                ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            if ix == 0 and not keep_dot:
                break
            out.append(itos[ix])
            if ix == 0:
                break
            if slide == "slide":
                context = context[1:] + [ix]
            elif slide == "front":
                context = [ix] + context[:-1]
            if cap is not None and len(out) > cap:
                return None
        names.append("".join(out))
    return names


def _sample_hint(got, params, itos, block_size: int, n: int, seed: int, device: str) -> str:
    """Name the mistake whose loop gives the names ``got`` (the small models only)."""
    def loop(**options):
        return _trusted_sample(params, itos, block_size, n, seed, device, cap=60, **options)

    mistakes = [
        (loop(pick="argmax"), "draw the next character with torch.multinomial, not argmax: "
                              "argmax gives the same name every time"),
        (loop(keep_dot=True), "return the names without the final '.': stop before adding it"),
        (loop(slide="front"), "slide the context by dropping its oldest (first) index and "
                              "appending the new one: context[1:] + [ix]"),
        (loop(slide="none"), "slide the context after each character, context = context[1:] "
                             "+ [ix]; it stayed all dots"),
        (loop(reset=False), "start every name from the context [0] * block_size (all dots)"),
    ]
    if any(len(name) > 60 and len(set(name)) == 1 for name in got):
        return mistakes[3][1]  # one character over and over: the context never changed
    return diagnose(got, [(wrong, hint) for wrong, hint in mistakes if wrong is not None],
                    default=MULTINOMIAL)


def _expect_names(got, n: int, what: str) -> None:
    expect(isinstance(got, list) and len(got) == n and all(isinstance(s, str) for s in got),
           what, expected=f"a list of {n} strings", got=got,
           hint="return one string per name, a list of n strings")
    expect(not any("." in s for s in got), what, expected="names without a '.'", got=got,
           hint="a name ends at the first '.': stop there, without adding the '.' to it")


# --------------------------------------------------------------------------- TODO 1

def _expect_probs(got, vocab_size: int, what: str) -> None:
    with_row = "return the (vocab_size,) row 0 of the (1, vocab_size) probabilities"
    expect_tensor(got, what, dtype="floating", hint=with_row)
    expect_equal(tuple(got.shape), (vocab_size,), f"{what}: shape", hint=with_row)
    expect_close(float(got.detach().sum()), 1.0, f"{what}: the probabilities sum to 1",
                 hint="take the softmax over the characters (dim=1) of the (1, vocab_size) "
                      "logits, F.softmax(logits, dim=1); over dim=0, the batch of one row, "
                      "every probability is 1")


def _probs_hint(got, params, context: list[int]) -> str | None:
    with torch.no_grad():
        logits = forward(params, torch.tensor([context]))
    return diagnose(got.detach(), [
        (_probs(params, context[::-1]), "the context is oldest first: X = "
                                        "torch.tensor([context]), not reversed"),
        (logits[0], "turn the logits into probabilities with F.softmax(logits, dim=1)"),
        (F.softmax(logits, dim=0)[0], "take the softmax over the characters (dim=1), not "
                                      "over the batch of one row (dim=0), which gives all ones"),
    ], default="probs = F.softmax(forward(params, X), dim=1)[0] with X = "
               "torch.tensor([context])")


@check(todo=1, points=2)
def test_next_char_probs_small(lesson):
    params = _abac_params()
    uniform = {k: (torch.zeros_like(v) if k in ("W2", "b2") else v) for k, v in params.items()}
    what = "next_char_probs(params, [0, 0]) with W2 = 0, b2 = 0 (vocabulary '.ABC')"
    with hint_on_error(what, DEVICE_HINT):
        got = lesson.next_char_probs(uniform, [0, 0])
    _expect_probs(got, 4, what)
    expect_close(got.detach(), torch.full((4,), 0.25), f"{what}: all logits 0, so 1/4 each",
                 hint=_probs_hint(got, uniform, [0, 0]))
    for context, text in (([0, 0], "'..'"), ([0, 1], "'.A'"), ([2, 1], "'BA'"), ([1, 2], "'AB'")):
        what = f"next_char_probs(params, {context}) (the context {text}, vocabulary '.ABC')"
        got = lesson.next_char_probs(params, context)
        _expect_probs(got, 4, what)
        expect_close(got.detach(), _probs(params, context), what, atol=1e-6,
                     hint=_probs_hint(got, params, context))


@check(todo=1, points=2)
def test_next_char_probs_block_sizes(lesson):
    for block_size, context in ((1, [3]), (4, [0, 0, 5, 2]), (5, [1, 4, 4, 0, 3])):
        params = _random_params(6, block_size, block_size)
        what = f"next_char_probs(params, {context}) with block_size {block_size}, vocabulary 6"
        with hint_on_error(what, DEVICE_HINT):
            got = lesson.next_char_probs(params, context)
        _expect_probs(got, 6, what)
        expect_close(got.detach(), _probs(params, context), what, atol=1e-6,
                     hint=_probs_hint(got, params, context))


@check(todo=1, points=1)
def test_next_char_probs_builds_no_graph(lesson):
    out = lesson.helper("call_with_grad", "next_char_probs", [_abac_params(), [0, 1]])
    expect(not out["graph"], "next_char_probs(params, context) with parameters that require "
                             "grad: the probabilities carry no graph",
           expected="requires_grad False", got="a result that requires grad", hint=NO_GRAPH)


@check(todo=1, points=2)
def test_next_char_probs_names(lesson, words):
    expect_started(lambda: lesson.next_char_probs(_abac_params(), [0, 0]))
    params = _trained(words)
    stoi, _ = build_vocab(words)
    for text in ("...", "..e", ".em", "emm", "mma"):
        context = [stoi[ch] for ch in text]
        what = (f"next_char_probs(params, {context}) (the context {text!r}) of a network "
                f"trained on names.txt")
        with hint_on_error(what, DEVICE_HINT):
            got = lesson.next_char_probs(params, context)
        _expect_probs(got, 27, what)
        expect_close(got.detach(), _probs(params, context), what, atol=1e-6,
                     hint=_probs_hint(got, params, context))


# --------------------------------------------------------------------------- TODO 2

ABAC_SEED = 1  # with this seed the four names all come out "ABAC"


@check(todo=2, points=2)
def test_sample_small(lesson):
    params = _abac_params()
    device = draw_device(lesson)
    what = ("sample(params, itos, 2, 4, generator) with a model that spells 'ABAC' "
            "(vocabulary '.ABC')")
    with hint_on_error(what, "next_char_probs (TODO 1) gives the probabilities; "
                             + MULTINOMIAL + "; " + DEVICE_HINT):
        got = lesson.sample(params, dict(ITOS_ABC), 2, 4, generator(ABAC_SEED))
    _expect_names(got, 4, what)
    expected = _trusted_sample(params, ITOS_ABC, 2, 4, ABAC_SEED, device)
    hint = None
    if got != expected:
        hint = _sample_hint(got, params, ITOS_ABC, 2, 4, ABAC_SEED, device)
    expect_equal(got, expected, what, hint=hint)
    if device == "cpu":
        expect_equal(expected, ["ABAC"] * 4, "the trusted loop itself")
    what = "sample(params, itos, 2, 0, generator)"
    expect_equal(lesson.sample(params, dict(ITOS_ABC), 2, 0, generator(ABAC_SEED)), [], what,
                 hint="n = 0 asks for no names: an empty list")
    expect_unmodified(lesson, "sample", [params, dict(ITOS_ABC), 2, 2, generator(ABAC_SEED)],
                      what="sample(params, itos, 2, 2, generator) must not change its arguments",
                      hint=_unmodified_hint)


def _unmodified_hint(changed: list[str]) -> str:
    if "itos" in changed:
        return ("don't change the caller's itos (such as itos[0] = ''): leave the '.' out by "
                "stopping at ix == 0 before out.append(itos[ix])")
    return "sampling only reads the parameters: no in-place operation on params"


@check(todo=2, points=2)
def test_sample_two_seeds(lesson):
    params = _random_params(6, 4, 6)  # a seed whose argmax name ends, after 7 characters
    device = draw_device(lesson)
    results = {}
    for seed in (5, 6):
        what = (f"sample(params, itos, 4, 8, generator seeded {seed}), a small model with "
                f"block_size 4 over '.', 'x', '7', 'Q', 'é', '-'")
        with hint_on_error(what, MULTINOMIAL + "; " + DEVICE_HINT):
            got = lesson.sample(params, dict(ITOS_6), 4, 8, generator(seed))
        _expect_names(got, 8, what)
        again = lesson.sample(params, dict(ITOS_6), 4, 8, generator(seed))
        expect_equal(again, got, f"{what}, called twice with fresh generators of that seed",
                     hint=GENERATOR)
        expected = _trusted_sample(params, ITOS_6, 4, 8, seed, device)
        hint = None
        if got != expected:
            hint = (GENERATOR if seed == 6 and got == results.get(5)
                    else _sample_hint(got, params, ITOS_6, 4, 8, seed, device))
        expect_equal(got, expected, what, hint=hint)
        results[seed] = got


@check(todo=2, points=1)
def test_sample_block_sizes(lesson):
    device = draw_device(lesson)
    for block_size, model_seed in ((1, 48), (5, 25)):  # seeds whose argmax names end
        params = _random_params(6, block_size, model_seed)
        what = f"sample(params, itos, {block_size}, 6, generator), vocabulary of 6"
        with hint_on_error(what, "the context has block_size entries: [0] * block_size; "
                                 + DEVICE_HINT):
            got = lesson.sample(params, dict(ITOS_6), block_size, 6, generator(7))
        _expect_names(got, 6, what)
        expected = _trusted_sample(params, ITOS_6, block_size, 6, 7, device)
        hint = None
        if got != expected:
            hint = _sample_hint(got, params, ITOS_6, block_size, 6, 7, device)
        expect_equal(got, expected, what, hint=hint)


@check(todo=2, points=2)
def test_sample_names(lesson, words):
    expect_started(lambda: lesson.sample(_abac_params(), dict(ITOS_ABC), 2, 1, generator(1)))
    params = _trained(words)
    _, itos = build_vocab(words)
    device = draw_device(lesson)
    mean_words = sum(map(len, words)) / len(words)  # 6.12
    for seed in (1, 2):
        what = f"sample(params, itos, 3, 40, generator seeded {seed}) of a network trained on names.txt"
        with hint_on_error(what, MULTINOMIAL + "; " + DEVICE_HINT):
            got = lesson.sample(params, dict(itos), 3, 40, generator(seed))
        _expect_names(got, 40, what)
        expected = _trusted_sample(params, itos, 3, 40, seed, device)
        mean = sum(map(len, got)) / len(got)
        expect(abs(mean - mean_words) <= 1.5, f"{what}: the mean length of the names",
               expected=f"within 1.5 of names.txt's {mean_words:.2f}", got=f"{mean:.2f}",
               hint=("names far too long or short: " + MULTINOMIAL
                     + "; slide the context, context[1:] + [ix]"))
        expect_equal(got, expected, what, hint=MULTINOMIAL if seed == 1 else GENERATOR)


@expensive
def _untrained_names(words: tuple[str, ...]) -> list[str]:
    """The trusted loop's 10 names (seed 3) of the untrained network, on the CPU: long
    names, about 2000 characters in all."""
    _, itos = build_vocab(list(words))
    untrained = init_params(27, 3, 10, 200, generator(SEED))
    return _trusted_sample(untrained, itos, 3, 10, 3, "cpu")


@check(todo=2, points=1)
def test_sample_untrained_differs(lesson, words):
    _, itos = build_vocab(words)
    device = draw_device(lesson)
    untrained = init_params(27, 3, 10, 200, generator(SEED))
    what = "sample(params, itos, 3, 10, generator seeded 3) of the untrained network"
    with hint_on_error(what, MULTINOMIAL + "; " + DEVICE_HINT):
        got = lesson.sample(untrained, dict(itos), 3, 10, generator(3))
    _expect_names(got, 10, what)
    expected = (_untrained_names(tuple(words)) if device == "cpu"
                else _trusted_sample(untrained, itos, 3, 10, 3, device))
    expect_equal(got, expected, what,
                 hint="the names must come from the parameters that were passed in; "
                      + MULTINOMIAL)
    trained = lesson.sample(_trained(words), dict(itos), 3, 10, generator(3))
    expect(trained != got, "the trained and the untrained network give other names",
           expected="different names", got=got,
           hint="use the parameters that were passed in, not a model of your own")
