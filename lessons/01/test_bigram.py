"""Checks for lesson 01 (bigram.py). Run them with:  pytest lessons/01"""

from __future__ import annotations

import math

import torch

from autograder.cache import expensive
from autograder.checking import (SEED, check, diagnose, expect, expect_close, expect_equal,
                                 expect_started, expect_tensor, expect_type, expect_unmodified,
                                 generator, hints_on_error)
from autograder.contract import Contract

# What the checks may call, with the parameters, and what grading needs to know
# (autograder.contract).
CONTRACT = Contract(
    functions={
        "build_vocab":   "words",
        "bigram_pairs":  "words, stoi, device=None",
        "count_bigrams": "words, stoi",
        "bigram_probs":  "N, smoothing=1",
        "nll":           "P, words, stoi",
        "sample_names":  "P, itos, n, generator",
        "neural_bigram": "words, stoi, steps=100, lr=50.0, reg=0.01, generator=None",
        "plot_counts":   "N, itos",
    },
)

LETTERS = "abcdefghijklmnopqrstuvwxyz"
STOI = {ch: i for i, ch in enumerate("." + LETTERS)}  # the names.txt vocabulary
ITOS = {i: ch for ch, i in STOI.items()}
STOI3 = {".": 0, "a": 1, "b": 2}  # a tiny vocabulary for hand-made examples
ITOS3 = {0: ".", 1: "a", 2: "b"}

END_TOKEN = ("'.' marks the end of every word too: walk over '.' + word + '.', so a word of k "
             "letters gives k + 1 bigrams")


@expensive
def names_counts(words: tuple[str, ...]) -> torch.Tensor:
    """N for names.txt computed in the check: (27, 27) int64."""
    idx = [(STOI[a], STOI[b]) for w in words for a, b in zip("." + w, w + ".")]
    pairs = torch.tensor(idx)  # (228146, 2)
    return torch.bincount(pairs[:, 0] * 27 + pairs[:, 1], minlength=27 * 27).view(27, 27)


def names_probs(words: tuple[str, ...]) -> torch.Tensor:
    P = (names_counts(words) + 1).float()
    return P / P.sum(1, keepdim=True)


# --------------------------------------------------------------------------- TODO 1

FIXED_ALPHABET = ("take the letters from the words, sorted(set(''.join(words))): a fixed a-z "
                  "only fits names.txt, other words have other letters")


def _expect_vocab(result, words_what: str, expected_stoi: dict[str, int], unsorted: dict) -> None:
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           f"build_vocab({words_what}) returns (stoi, itos)", expected="a pair of dicts",
           got=result)
    stoi, itos = result
    expect_type(stoi, dict, "stoi")
    expect_type(itos, dict, "itos")
    hint = ("'.' must be index 0 (the start and end token); the letters get 1, 2, ..."
            if stoi.get(".") != 0 else
            diagnose(stoi, [(unsorted, "the letters must be numbered in sorted order: "
                                       "sorted(set(''.join(words)))")],
                     default=FIXED_ALPHABET if len(stoi) == 27 != len(expected_stoi) else
                     "'.' is 0, then each distinct letter in sorted order"))
    expect_equal(stoi, expected_stoi, f"stoi of {words_what}", hint=hint)
    expect_equal(itos, {i: ch for ch, i in expected_stoi.items()}, f"itos of {words_what}",
                 hint="itos is the inverse of stoi: {i: ch for ch, i in stoi.items()}")


@check(todo=1, points=1)
def test_build_vocab_small(lesson):
    got = expect_unmodified(lesson, "build_vocab", [["cab", "bad"]],
                            what="build_vocab(['cab', 'bad']) leaves its words unchanged",
                            hint="build the vocabulary without editing the list of words")
    _expect_vocab(got, "['cab', 'bad']", {".": 0, "a": 1, "b": 2, "c": 3, "d": 4},
                  {".": 0, "c": 1, "a": 2, "b": 3, "d": 4})
    # another alphabet than names.txt's: capitals and digits sort before small letters
    _expect_vocab(lesson.build_vocab(["Zo3", "ob"]), "['Zo3', 'ob']",
                  {".": 0, "3": 1, "Z": 2, "b": 3, "o": 4},
                  {".": 0, "Z": 1, "o": 2, "3": 3, "b": 4})
    _expect_vocab(lesson.build_vocab([]), "[] (no words)", {".": 0}, {".": 0})


@check(todo=1, points=1)
def test_build_vocab_names(lesson, words):
    expect_started(lambda: lesson.build_vocab(["ab"]))
    first_seen = {ch: i + 1 for i, ch in enumerate(dict.fromkeys("".join(words)))}
    _expect_vocab(lesson.build_vocab(words), "names.txt", STOI, {".": 0, **first_seen})


# --------------------------------------------------------------------------- TODO 2

EMPTY_INT64 = ("an empty word list gives two empty int64 tensors: pass dtype=torch.int64 "
               "(torch.tensor([]) alone is float32)")


@check(todo=2, points=1)
def test_bigram_pairs_small(lesson):
    for stoi, what in ((STOI, "bigram_pairs([], stoi)"),
                       ({".": 0, "x": 1, "y": 2}, "bigram_pairs([], {'.': 0, 'x': 1, 'y': 2})")):
        xs, ys = lesson.bigram_pairs([], stoi)
        expect_tensor(xs, f"xs of {what}", shape=(0,), dtype=torch.int64, hint=EMPTY_INT64)
        expect_tensor(ys, f"ys of {what}", shape=(0,), dtype=torch.int64, hint=EMPTY_INT64)
    xs, ys = lesson.bigram_pairs(["xyx"], {".": 0, "y": 1, "x": 2})  # not names.txt's letters
    expect_equal([xs, ys], [torch.tensor([0, 2, 1, 2]), torch.tensor([2, 1, 2, 0])],
                 "bigram_pairs(['xyx'], {'.': 0, 'y': 1, 'x': 2}): .x xy yx x.",
                 hint="look every character up in the stoi you are given")
    xs, ys = lesson.bigram_pairs(["emma", "ab"], STOI)
    what = "bigram_pairs(['emma', 'ab'], stoi)"
    short = isinstance(xs, torch.Tensor) and xs.shape == (6,)
    expect_tensor(xs, f"xs of {what}", shape=(8,), dtype=torch.int64,
                  hint=END_TOKEN if short else "8 bigrams: .e em mm ma a. and .a ab b., "
                                               "as int64 indices")
    expect_tensor(ys, f"ys of {what}", shape=(8,), dtype=torch.int64)
    expect_equal(xs, torch.tensor([0, 5, 13, 13, 1, 0, 1, 2]), f"xs of {what} (. e m m a . a b)",
                 hint="xs holds the first character of each bigram, starting with '.'")
    expect_equal(ys, torch.tensor([5, 13, 13, 1, 0, 1, 2, 0]), f"ys of {what} (e m m a . a b .)",
                 hint="ys holds the second character of each bigram, ending with '.'")


@check(todo=2, points=1)
def test_bigram_pairs_names(lesson, words):
    expect_started(lambda: lesson.bigram_pairs(["ab"], STOI3))
    xs, ys = lesson.bigram_pairs(words, STOI)
    short = isinstance(xs, torch.Tensor) and xs.shape == (228146 - 32033,)
    expect_tensor(xs, "xs of names.txt", shape=(228146,), dtype=torch.int64,
                  hint=END_TOKEN if short else "228146 bigrams in names.txt")
    expect_tensor(ys, "ys of names.txt", shape=(228146,), dtype=torch.int64)
    N = names_counts(tuple(words))
    got = torch.bincount(xs * 27 + ys, minlength=27 * 27).view(27, 27)
    expect_equal(got, N, "the bigrams of names.txt, counted",
                 hint="xs[k], ys[k] are the two characters of the k-th bigram")


# --------------------------------------------------------------------------- TODO 3

# "ab" and "abb": .a ab b.  and  .a ab bb b.
N_SMALL = torch.tensor([[0, 2, 0], [0, 0, 2], [2, 0, 1]])
N_SMALL_NO_END = torch.tensor([[0, 2, 0], [0, 0, 2], [0, 0, 1]])


def _count_hint(N: torch.Tensor, expected: torch.Tensor, no_end: torch.Tensor) -> str | None:
    return diagnose(N, [
        (expected.T, "N is transposed: the row is the first character, the column the one "
                     "that follows (N[ix1, ix2] += 1)"),
        (no_end, END_TOKEN),
    ], default="N[i, j] counts how often character j follows character i")


@check(todo=3, points=1)
def test_count_bigrams_small(lesson):
    what = "count_bigrams(['ab', 'abb'], {'.': 0, 'a': 1, 'b': 2})"
    N = expect_unmodified(lesson, "count_bigrams", [["ab", "abb"], dict(STOI3)],
                          what=f"{what} leaves words and stoi unchanged",
                          hint="count the bigrams without editing the list of words or stoi")
    expect_tensor(N, what, shape=(3, 3), dtype="integer",
                  hint="N is a (V, V) tensor of integer counts, V = len(stoi): a fixed 27 "
                       "only fits names.txt")
    expect_equal(N, N_SMALL, what, hint=_count_hint(N, N_SMALL, N_SMALL_NO_END))


@check(todo=3, points=2)
def test_count_bigrams_names(lesson, words):
    expect_started(lambda: lesson.count_bigrams(["ab"], STOI3))
    N = lesson.count_bigrams(words, STOI)
    expect_tensor(N, "count_bigrams(names.txt, stoi)", shape=(27, 27), dtype="integer",
                  hint="N is (27, 27) with integer counts (torch.int32 in the lecture)")
    expected = names_counts(tuple(words))
    total = int(N.sum())
    expect(total == 228146, "N.sum(): the number of bigrams", expected=228146, got=total,
           hint=END_TOKEN if total == 228146 - 32033 else None)
    no_end = expected.clone()
    no_end[:, 0] = 0
    hint = _count_hint(N, expected, no_end)
    expect_equal(N[0].sum().item(), 32033, "N[0].sum(): names that start", hint=hint)
    expect_equal(N[:, 0].sum().item(), 32033, "N[:, 0].sum(): names that end", hint=hint)
    expect_equal([int(N[14, 0]), int(N[1, 0]), int(N[1, 14]), int(N[0, 1])],
                 [6763, 6640, 5438, 4410], "the largest counts: n. a. an .a", hint=hint)
    expect_equal(int((N > 0).sum()), 627, "bigrams seen at least once", hint=hint)
    expect_equal(N, expected, "count_bigrams(names.txt, stoi)", hint=hint)


# --------------------------------------------------------------------------- TODO 4

# Row sums of N_PROBS + 1 are 6, 5, 6; column sums 5, 6, 6: each wrong division differs.
N_PROBS = torch.tensor([[0, 3, 0], [0, 0, 2], [2, 0, 1]], dtype=torch.int32)
KEEPDIM = ("P.sum(1) without keepdim=True has shape (V,) and broadcasts as a row: it divides "
           "each column j by the sum of row j. Use P.sum(1, keepdim=True), shape (V, 1)")
COLUMN = "divide each row by its own sum (P.sum(1, keepdim=True)), not by the column sums"


def _probs_mistakes(N: torch.Tensor, smoothing: int) -> list[tuple[torch.Tensor, str]]:
    Ps = (N + smoothing).double()
    return [
        (Ps / Ps.sum(1), KEEPDIM),
        (Ps / Ps.sum(0, keepdim=True), COLUMN),
        (Ps / Ps.sum(), "normalise each row separately; dividing by the total makes all of "
                        "P sum to 1, not each row"),
        (N.double() / N.double().sum(1, keepdim=True),
         f"add smoothing (here {smoothing}) to every count before dividing, so that no "
         "bigram has probability zero"),
    ]


@check(todo=4, points=2)
def test_bigram_probs_small(lesson):
    for smoothing, expected in (
            (1, torch.tensor([[1 / 6, 4 / 6, 1 / 6], [1 / 5, 1 / 5, 3 / 5], [3 / 6, 1 / 6, 2 / 6]])),
            (0, torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [2 / 3, 0.0, 1 / 3]]))):
        what = f"bigram_probs(N, smoothing={smoothing}) with N = {N_PROBS.tolist()}"
        with hints_on_error(what, [],
                            default="convert the counts to float before dividing: "
                                    "(N + smoothing).float()"):
            P = expect_unmodified(
                lesson, "bigram_probs", [N_PROBS, smoothing], what=f"{what} leaves N unchanged",
                expected="N unchanged",
                hint="bigram_probs changed its argument N in place (N += smoothing, or an "
                     "in-place division such as /=): compute a new tensor, "
                     "P = (N + smoothing).float()")
        expect_tensor(P, what, shape=(3, 3), dtype=torch.float32,
                      hint="P has N's shape and holds float32 probabilities")
        mistakes = _probs_mistakes(N_PROBS, smoothing)
        hint = diagnose(P, mistakes if smoothing else mistakes[:3],  # no smoothing to forget
                        default="add smoothing, then divide every row by its own sum")
        expect_close(P, expected, what, hint=hint)


@check(todo=4, points=1)
def test_bigram_probs_names(lesson, words):
    expect_started(lambda: lesson.bigram_probs(N_PROBS))
    N = names_counts(tuple(words)).to(torch.int32)
    P = lesson.bigram_probs(N.clone())
    expect_tensor(P, "bigram_probs(N) for names.txt", shape=(27, 27), dtype=torch.float32)
    hint = diagnose(P, _probs_mistakes(N, 1), default="add 1 to every count, then divide "
                                                      "every row by its own sum")
    expect_close(P.sum(1), torch.ones(27), "P.sum(1): every row sums to 1", hint=hint)
    expect_close(P[0, 1].item(), 4411 / 32060, "P[0, 1] = P('a' starts a name) = 4411 / 32060",
                 hint=hint)
    expect_close(P, names_probs(tuple(words)), "bigram_probs(N) for names.txt", hint=hint)


# --------------------------------------------------------------------------- TODO 5

P_SMALL = torch.tensor([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25], [0.4, 0.4, 0.2]])
# "ab" and "b": .a ab b.  and  .b b.
NLL_TERMS = [0.6, 0.25, 0.4, 0.3, 0.4]


def _expect_float(value, what: str) -> None:
    expect_type(value, float, what, hint="return a Python float: loss.item() turns a "
                                         "one-element tensor into a number")


@check(todo=5, points=1)
def test_nll_small(lesson):
    what = "nll(P, ['ab', 'b'], {'.': 0, 'a': 1, 'b': 2})"
    got = expect_unmodified(lesson, "nll", [P_SMALL, ["ab", "b"], STOI3],
                            what=f"{what} leaves its arguments unchanged",
                            hint="nll changed P in place (log_ or another operation ending in "
                                 "_): use P[xs, ys].log(), which makes a new tensor")
    _expect_float(got, what)
    logs = [math.log(p) for p in NLL_TERMS]
    expected = -sum(logs) / len(logs)
    hint = diagnose(got, [
        (-sum(logs), "average the negative log likelihoods (mean), do not sum them"),
        (-expected, "the negative log likelihood is -log(p): you forgot the minus sign (a log "
                    "probability is negative, the loss positive)"),
        (-(logs[0] + logs[1] + logs[3]) / 3, END_TOKEN),  # only .a ab .b
    ], default="score every bigram of '.' + word + '.' and average -log P[ix1, ix2]")
    expect_close(got, expected, f"{what}: the mean of -log P over .a ab b. .b b.", hint=hint)


@check(todo=5, points=2)
def test_nll_names(lesson, words):
    expect_started(lambda: lesson.nll(P_SMALL, ["ab", "b"], STOI3))
    got = lesson.nll(names_probs(tuple(words)), words, STOI)
    _expect_float(got, "nll(P, names.txt, stoi)")
    P = names_probs(tuple(words)).double()
    N = names_counts(tuple(words)).double()
    logs = N * P.log()
    hint = diagnose(got, [
        (-logs.sum().item(), "average the negative log likelihoods (mean), do not sum them"),
        (logs.sum().item() / N.sum().item(), "the negative log likelihood is -log(p): you "
                                             "forgot the minus sign"),
        (-logs[:, 1:].sum().item() / N[:, 1:].sum().item(), END_TOKEN),
    ], default="average -log P[ix1, ix2] over all 228146 bigrams", rtol=1e-4)
    expect_close(got, 2.4544, "nll of names.txt with smoothing 1", atol=2e-4, rtol=0, hint=hint)


# --------------------------------------------------------------------------- TODO 6

def _expect_names(got, n: int, what: str) -> None:
    expect(isinstance(got, list) and len(got) == n and all(isinstance(s, str) for s in got),
           what, expected=f"a list of {n} strings", got=got)
    expect(not any("." in s for s in got), what, expected="names without dots", got=got,
           hint="the names are returned without the dots: stop at '.' before adding it")


@check(todo=6, points=1)
def test_sample_names_small(lesson):
    # '.' -> 'a' -> 'b' -> '.' with probability 1: every name is "ab".
    P = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    got = lesson.sample_names(P, ITOS3, 3, generator())
    _expect_names(got, 3, "sample_names(P, itos, 3, generator) where P forces '.ab.'")
    expect_equal(got, ["ab", "ab", "ab"], "sample_names with a deterministic P",
                 hint="start every name at ix = 0 ('.'), draw the next index from row P[ix], "
                      "stop when 0 comes back")


def _sample(P: torch.Tensor, itos: dict[int, str], n: int,
            generator: torch.Generator) -> list[str]:
    """The checks' own sampling loop: one multinomial draw per character, from '.' to '.'."""
    names = []
    for _ in range(n):
        name, ix = "", 0
        while (ix := int(torch.multinomial(P[ix], 1, True, generator=generator))) != 0:
            name += itos[ix]
        names.append(name)
    return names


IGNORES_GENERATOR = ("the names do not change with the generator's seed: draw with "
                     "torch.multinomial(..., generator=generator), using the generator you are "
                     "given, not the global one or one you seed yourself")
# A vocabulary other than names.txt's, with a random-looking P: every row reaches '.'.
ITOS_XYZ = {0: ".", 1: "x", 2: "y", 3: "z"}
P_XYZ = torch.tensor([[0.1, 0.3, 0.4, 0.2], [0.3, 0.2, 0.2, 0.3], [0.25, 0.25, 0.25, 0.25],
                      [0.5, 0.1, 0.1, 0.3]])


@check(todo=6, points=2)
def test_sample_names_names(lesson, words):
    expect_started(lambda: lesson.sample_names(P_XYZ, ITOS_XYZ, 1, generator()))
    P = names_probs(tuple(words))
    got = lesson.sample_names(P, ITOS, 20, generator())
    _expect_names(got, 20, "sample_names(P, itos, 20, generator) for names.txt")
    again = lesson.sample_names(P, ITOS, 20, generator())
    expect_equal(got, again, "two runs with generators of the same seed",
                 hint="pass generator=generator to torch.multinomial: the global random "
                      "generator gives other names on every run")
    expect_equal(got, _sample(P, ITOS, 20, generator()),
                 "the 20 names drawn with seed 2147483647",
                 hint="draw each index with torch.multinomial(P[ix], num_samples=1, "
                      "replacement=True, generator=generator), one call per character, "
                      "starting from ix = 0")


@check(todo=6, points=1)
def test_sample_names_seeds_and_vocabulary(lesson):
    what = "sample_names(P, {0: '.', 1: 'x', 2: 'y', 3: 'z'}, 8, generator)"
    lecture = _sample(P_XYZ, ITOS_XYZ, 8, generator())
    for seed in (SEED, 42):
        got = expect_unmodified(lesson, "sample_names", [P_XYZ, ITOS_XYZ, 8, generator(seed)],
                                what=f"{what} leaves P and itos unchanged",
                                hint="sample_names changed an argument in place: read the rows "
                                     "of P, do not normalise or edit them")
        _expect_names(got, 8, f"{what}, seed {seed}")
        expected = _sample(P_XYZ, ITOS_XYZ, 8, generator(seed))
        hint = (IGNORES_GENERATOR if seed != SEED and got == lecture else
                "look the letters up in the itos you are given; draw each index with "
                "torch.multinomial(P[ix], num_samples=1, replacement=True, generator=generator)")
        expect_equal(got, expected, f"{what} with seed {seed}", hint=hint)
    expect_equal(lesson.sample_names(P_XYZ, ITOS_XYZ, 0, generator()), [],
                 "sample_names(P, itos, 0, generator)", hint="n = 0 names is an empty list")


# --------------------------------------------------------------------------- TODO 7

def _replay(N: torch.Tensor, steps: int, lr: float, reg: float, *, zero_grad: bool = True,
            sign: float = -1.0, seed: int = SEED) -> tuple[torch.Tensor, list[float]]:
    """Gradient descent on the bigram network, written with counts instead of one-hot rows.

    The mean NLL over all bigrams equals sum(N * -log_softmax(W)) / N.sum(), so a few
    lines give the trajectory the student's full-batch loop must follow.
    """
    W = torch.randn(N.shape, generator=generator(seed)).double().requires_grad_()
    Nd = N.double()
    losses = []
    for _ in range(steps):
        loss = -(Nd * torch.log_softmax(W, 1)).sum() / Nd.sum() + reg * (W ** 2).mean()
        losses.append(loss.item())
        if zero_grad:
            W.grad = None
        loss.backward()
        with torch.no_grad():
            W += sign * lr * W.grad
    return W.detach(), losses


def _trajectory_hint(got: list[float], N: torch.Tensor, steps: int, lr: float,
                     reg: float, start: float, seed: int = SEED) -> str | None:
    """Name the mistake that produces the losses ``got``, if it is a known one."""
    return diagnose(got, [
        (_replay(N, steps, lr, 0.0, seed=seed)[1],
         "add the regularisation term reg * (W**2).mean() to the loss"),
        (_replay(N, steps, lr, reg, zero_grad=False, seed=seed)[1],
         "set W.grad = None before each backward pass: gradients accumulate otherwise"),
        (_replay(N, steps, lr, reg, sign=1.0, seed=seed)[1],
         "step downhill: W -= lr * W.grad (the loss grows with +=)"),
    ], default=("start from W = torch.randn((V, V), generator=generator); the loss is the mean "
                "NLL plus reg * (W**2).mean()") if abs(got[0] - start) > 1e-3 else
        ("each step: logits = one-hot(xs) @ W, softmax over rows, mean NLL of ys plus "
         "reg * (W**2).mean(); record the loss, backward, W -= lr * W.grad"),
        atol=1e-3, rtol=1e-4)


def _train(lesson, words: list[str], stoi: dict[str, int], steps: int, what: str,
           lr: float = 50.0, seed: int = SEED):
    result = lesson.neural_bigram(words, stoi, steps=steps, lr=lr, reg=0.01,
                                  generator=generator(seed))
    expect(isinstance(result, (tuple, list)) and len(result) == 2, what,
           expected="(W, losses)", got=result)
    W, losses = result
    V = len(stoi)
    expect_tensor(W, f"W of {what}", shape=(V, V), dtype=torch.float32,
                  hint="W is (V, V) float32 with V = len(stoi): a fixed 27 only fits names.txt")
    expect(isinstance(losses, list) and len(losses) == steps
           and all(isinstance(x, float) for x in losses), f"losses of {what}",
           expected=f"a list of {steps} floats (loss.item() before each update)", got=losses)
    return W, losses


@check(todo=7, points=2)
def test_neural_bigram_small(lesson):
    words = ["emma", "ava", "bob"]
    counts = torch.zeros(27, 27)
    for w in words:
        for a, b in zip("." + w, w + "."):
            counts[STOI[a], STOI[b]] += 1
    W, losses = _train(lesson, words, STOI, 4,
                       "neural_bigram(['emma', 'ava', 'bob'], steps=4, lr=10)", lr=10.0)
    expected_W, expected = _replay(counts, 4, 10.0, 0.01)
    expect_close(losses, expected, "the losses of 4 steps (lr 10, reg 0.01)", atol=1e-4,
                 hint=_trajectory_hint(losses, counts, 4, 10.0, 0.01, expected[0]))
    expect_close(W, expected_W.float(), "W after 4 steps", atol=1e-3,
                 hint="return W after the last update (detached)")


@check(todo=7, points=2)
def test_neural_bigram_seed_and_vocabulary(lesson):
    words = ["ab", "ba", "abba", "b"]
    counts = torch.zeros(3, 3)
    for w in words:
        for a, b in zip("." + w, w + "."):
            counts[STOI3[a], STOI3[b]] += 1
    what = "neural_bigram(['ab', 'ba', 'abba', 'b'], {'.': 0, 'a': 1, 'b': 2}, steps=3, lr=5)"
    W, losses = _train(lesson, words, STOI3, 3, f"{what}, seed 42", lr=5.0, seed=42)
    expected_W, expected = _replay(counts, 3, 5.0, 0.01, seed=42)
    hint = diagnose(losses, [(_replay(counts, 3, 5.0, 0.01)[1],
                              "W must be drawn with the generator you are given: "
                              "torch.randn((V, V), generator=generator); these losses come "
                              "from seed 2147483647, not from the generator of seed 42")],
                    default=None, atol=1e-4)
    expect_close(losses, expected, f"the losses of {what} with a generator of seed 42",
                 atol=1e-4,
                 hint=hint or _trajectory_hint(losses, counts, 3, 5.0, 0.01, expected[0], seed=42))
    expect_close(W, expected_W.float(), f"W after {what}", atol=1e-3,
                 hint="return W after the last update (detached)")


@check(todo=7, points=2)
def test_neural_bigram_names_start(lesson, words):
    expect_started(lambda: lesson.neural_bigram(["ab"], STOI3, steps=1, lr=1.0, reg=0.01,
                                                generator=generator()))
    W, losses = _train(lesson, words, STOI, 5, "neural_bigram(names.txt, steps=5)")
    N = names_counts(tuple(words))
    hint = _trajectory_hint(losses, N, 5, 50.0, 0.01, 3.7686)
    expect_close(losses[0], 3.7686, "the first loss on names.txt (seed 2147483647)", atol=1e-3,
                 hint=hint)
    expect_close(losses, _replay(N, 5, 50.0, 0.01)[1], "the losses of 5 steps on names.txt",
                 atol=1e-3, hint=hint)


@check(todo=7, points=2, slow=True, timeout=180)
def test_neural_bigram_reaches_counting_loss(lesson, words):
    expect_started(lambda: lesson.neural_bigram(["ab"], STOI3, steps=1, lr=1.0, reg=0.01,
                                                generator=generator()))
    W, losses = _train(lesson, words, STOI, 101, "neural_bigram(names.txt, steps=101)")
    expect_close(losses[100], 2.4901, "the loss after 100 updates (lr 50, reg 0.01)", atol=2e-3,
                 hint="full batch: all 228146 bigrams in every step, W -= 50 * W.grad")
    expect(losses[100] < losses[50] < losses[0], "the loss goes down",
           got=[losses[0], losses[50], losses[100]])


# --------------------------------------------------------------------------- TODO 8

def _expect_heat_map(info: dict, N: torch.Tensor, itos: dict[int, str], what: str) -> None:
    expect(info["type"] == "Figure", what, expected="a matplotlib Figure", got=info["type"],
           hint="create it with Figure(...) (or plt.figure()) and return it")
    images = [im for ax in info["axes"] for im in ax["images"]]
    expect(len(images) == 1, f"images in {what}", expected="one imshow of N",
           got=f"{len(images)} images", hint="ax.imshow(N) draws the heat map")
    expect_close(images[0].double(), N.double(), f"the image in {what}", atol=0, rtol=0,
                 hint="imshow the counts N themselves (rows: first character)")
    texts = [t for ax in info["axes"] for t in ax["texts"]]
    V = N.shape[0]
    missing = [itos[i] + itos[j] for i in range(V) for j in range(V)
               if itos[i] + itos[j] not in texts]
    expect(not missing, f"bigram labels in {what}", expected="a label itos[i] + itos[j] in "
           "every cell", got=f"{len(missing)} missing, e.g. {missing[:5]}",
           hint="label every cell: ax.text(j, i, itos[i] + itos[j]) and the count below it")
    counts = sorted(str(int(c)) for c in N.flatten())
    got_counts = sorted(t for t in texts if t.isdigit())
    expect(got_counts == counts, f"count labels in {what}", expected=f"{V * V} counts",
           got=f"{len(got_counts)} numeric labels",
           hint="write str(N[i, j].item()) in every cell as well")
    _expect_label_positions(info, N, itos, what)


def _expect_label_positions(info: dict, N: torch.Tensor, itos: dict[int, str],
                            what: str) -> None:
    """Each bigram label and each count sits in its own cell: x = column j, y = row i."""
    V = N.shape[0]
    cells = {itos[i] + itos[j]: (i, j) for i in range(V) for j in range(V)}
    for ax in info["axes"]:
        for text, (x, y) in zip(ax["texts"], ax["text_positions"]):
            j, i = round(x), round(y)
            inside = abs(x - j) <= 0.5 and abs(y - i) <= 0.5 and 0 <= i < V and 0 <= j < V
            if text in cells:
                expected = cells[text]
                ok = inside and (i, j) == expected
                shown = f"the cell of row {expected[0]}, column {expected[1]}"
            elif text.isdigit():
                ok = inside and text == str(int(N[i, j]))
                shown = "a cell whose count it is"
            else:
                continue
            expect(ok, f"the position of the label {text!r} in {what}", expected=shown,
                   got=f"x = {x:g}, y = {y:g}",
                   hint="imshow puts N[i, j] at x = j (the column), y = i (the row): write "
                        "ax.text(j, i, ...), not ax.text(i, j, ...)")


@check(todo=8, points=1)
def test_plot_counts_small(lesson):
    info = lesson.helper("figure_info", "plot_counts", N_SMALL, ITOS3)
    _expect_heat_map(info, N_SMALL, ITOS3, "plot_counts(N, itos) for a 3 x 3 N")


@check(todo=8, points=1)
def test_plot_counts_names(lesson, words):
    expect_started(lambda: lesson.helper("figure_info", "plot_counts", N_SMALL, ITOS3))
    N = names_counts(tuple(words)).to(torch.int32)
    info = lesson.helper("figure_info", "plot_counts", N, ITOS)
    _expect_heat_map(info, N, ITOS, "plot_counts(N, itos) for names.txt")
    expect("n." in info["axes"][0]["texts"] and "6763" in info["axes"][0]["texts"],
           "the label of the largest count", expected="'n.' and '6763'", got="missing")
