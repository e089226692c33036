"""The course's trusted trainer for E01 of lesson 09, and the budget it enforces.

E01 asks a student for a *configuration* (plain data: sizes, steps, optimizer,
schedule, seed) whose trained dev loss is at most 2.2. :func:`config_problems` checks a
configuration against the limits and the time budget (an estimate from the
configuration alone, so the verdict is the same on every machine), and
:func:`train_config` trains a valid one on one CPU thread: the MLP of lessons 06-08,
SGD or AdamW, the schedule of :func:`lr_at`. It calls nothing of the student's module.
Used by lesson 09's checks and by ``tests/benchmarks/mlp_speed.py``.
"""

from __future__ import annotations

import math
import time
from typing import Any

import torch
import torch.nn.functional as F

from autograder.checking import generator, one_thread

# Limits of an E01 configuration, and its defaults.
LIMITS = {"block_size": (1, 8), "n_embd": (1, 64), "n_hidden": (1, 1000),
          "steps": (1, 200_000), "batch_size": (1, 4096)}
OPTIONAL = {"weight_decay": 0.0, "init": "scaled", "milestones": [], "gamma": 1.0}
KEYS = (*LIMITS, "optimizer", "lr", "schedule", "seed")
MAX_PARAMS = 100_000
# Estimated seconds of training on one core: steps * (STEP_COST + batch_size * parameters
# * EXAMPLE_COST), measured on the course's development machine (lesson 09's README).
STEP_COST = 4.0e-4
EXAMPLE_COST = 9.0e-11
MAX_SECONDS = 60.0


def count_params(block_size: int, n_embd: int, n_hidden: int, vocab_size: int = 27) -> int:
    """Parameters of the MLP: C, W1, b1, W2, b2."""
    return (vocab_size * n_embd + block_size * n_embd * n_hidden + n_hidden
            + n_hidden * vocab_size + vocab_size)


def estimated_seconds(config: dict[str, Any]) -> float:
    """The budget's estimate of the training time of a (valid) configuration."""
    n = count_params(config["block_size"], config["n_embd"], config["n_hidden"])
    return config["steps"] * (STEP_COST + config["batch_size"] * n * EXAMPLE_COST)


def config_problems(config: Any) -> list[str]:
    """What is wrong with an E01 configuration (types, ranges, budget); [] when valid."""
    if not isinstance(config, dict):
        return [f"the configuration must be a dict, got a {type(config).__name__}"]
    problems = [f"missing key {k!r}" for k in KEYS if k not in config]
    unknown = set(config) - set(KEYS) - set(OPTIONAL)
    problems += [f"unknown key {k!r} (the keys are {', '.join(KEYS + tuple(OPTIONAL))})"
                 for k in sorted(unknown, key=str)]
    if problems:
        return problems

    def is_int(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    def is_number(v: Any) -> bool:
        return (is_int(v) or isinstance(v, float)) and math.isfinite(v)

    for key, (low, high) in LIMITS.items():
        if not is_int(config[key]) or not low <= config[key] <= high:
            problems.append(f"{key} must be an int from {low} to {high}, got {config[key]!r}")
    if config["optimizer"] not in ("sgd", "adamw"):
        problems.append(f"optimizer must be 'sgd' or 'adamw', got {config['optimizer']!r}")
    if not is_number(config["lr"]) or not 0 < config["lr"] <= 1:
        problems.append(f"lr must be a number in (0, 1], got {config['lr']!r}")
    if config["schedule"] not in ("constant", "step", "onecycle"):
        problems.append(f"schedule must be 'constant', 'step' or 'onecycle', "
                        f"got {config['schedule']!r}")
    if not is_int(config["seed"]) or not 0 <= config["seed"] < 2 ** 63:
        problems.append(f"seed must be a non-negative int, got {config['seed']!r}")
    wd = config.get("weight_decay", 0.0)
    if not is_number(wd) or not 0 <= wd <= 1:
        problems.append(f"weight_decay must be a number in [0, 1], got {wd!r}")
    if config.get("init", "scaled") not in ("lecture", "scaled"):
        problems.append(f"init must be 'lecture' or 'scaled', got {config.get('init')!r}")
    if config["schedule"] == "step":
        milestones, gamma = config.get("milestones"), config.get("gamma")
        if (not isinstance(milestones, (list, tuple)) or len(milestones) > 10
                or not all(is_int(m) and m >= 0 for m in milestones)):
            problems.append(f"a step schedule needs milestones, a list of at most 10 "
                            f"non-negative ints, got {milestones!r}")
        if not is_number(gamma) or not 0 < gamma <= 1:
            problems.append(f"a step schedule needs gamma, a number in (0, 1], got {gamma!r}")
    if problems:
        return problems
    n = count_params(config["block_size"], config["n_embd"], config["n_hidden"])
    if n > MAX_PARAMS:
        problems.append(f"{n} parameters, more than the budget's {MAX_PARAMS}")
    seconds = estimated_seconds(config)
    if seconds > MAX_SECONDS:
        problems.append(f"estimated {seconds:.0f} s of training on one core, more than the "
                        f"budget's {MAX_SECONDS:.0f} s (fewer steps, a smaller batch or "
                        f"fewer parameters)")
    return problems


def lr_at(config: dict[str, Any], step: int) -> float:
    """The trainer's learning rate at ``step`` (0-based) for a valid configuration."""
    lr, steps = float(config["lr"]), config["steps"]
    if config["schedule"] == "step":
        return lr * config["gamma"] ** sum(1 for m in config["milestones"] if m <= step)
    if config["schedule"] == "onecycle":
        warm = max(1, steps // 10)
        if step < warm:  # linear warm-up from lr / 25
            return lr * (0.04 + 0.96 * step / warm)
        return lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, steps - warm)))
    return lr


def _adamw(params: list[torch.Tensor], lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW with betas (0.9, 0.99); the fused CPU kernel where this torch has one (2.4+),
    which takes a third of the time of the per-parameter loop on these small tensors."""
    try:
        return torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.99),
                                 weight_decay=weight_decay, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.99), weight_decay=weight_decay)


def train_config(config: dict[str, Any], data: dict[str, tuple[torch.Tensor, torch.Tensor]],
                 progress: bool = False) -> dict[str, float]:
    """Train a valid E01 configuration on ``data["train"]``, the examples (X, Y) of
    names.txt's train split with the configuration's block_size (lesson 08's
    split_datasets, seed 42), and measure it on ``data["dev"]``.

    The MLP of lessons 06-08 (C, tanh hidden layer, output layer), drawn from
    torch.Generator().manual_seed(seed) in the order C, W1, b1, W2, b2 (init "lecture":
    plain randn; "scaled": W1 * (5/3) / sqrt(block_size * n_embd), b1 * 0.01,
    W2 * 0.01, b2 = 0). Minibatches of the train split drawn with the same generator;
    SGD or AdamW (betas 0.9, 0.99) with the schedule of ``lr_at``. Returns
    {"train": float, "dev": float, "seconds": float (training only), "parameters": int}.
    """
    c = {**OPTIONAL, **config}
    (Xtr, Ytr), (Xdev, Ydev) = data["train"], data["dev"]
    g = generator(c["seed"])
    fan_in = c["block_size"] * c["n_embd"]
    C = torch.randn((27, c["n_embd"]), generator=g)
    W1 = torch.randn((fan_in, c["n_hidden"]), generator=g)
    b1 = torch.randn(c["n_hidden"], generator=g)
    W2 = torch.randn((c["n_hidden"], 27), generator=g)
    b2 = torch.randn(27, generator=g)
    if c["init"] == "scaled":
        W1, b1, W2, b2 = W1 * (5 / 3) / fan_in ** 0.5, b1 * 0.01, W2 * 0.01, b2 * 0
    params = [p.requires_grad_(True) for p in (C, W1, b1, W2, b2)]
    if c["optimizer"] == "adamw":
        opt: torch.optim.Optimizer = _adamw(params, c["lr"], c["weight_decay"])
    else:
        opt = torch.optim.SGD(params, lr=c["lr"])

    def forward(X: torch.Tensor) -> torch.Tensor:
        x = C[X].view(X.shape[0], -1)
        return torch.tanh(x @ W1 + b1) @ W2 + b2

    batch = c["batch_size"]
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=c["steps"])
    with one_thread():
        start = time.perf_counter()
        for step in range(c["steps"]):
            for group in opt.param_groups:
                group["lr"] = lr_at(c, step)
            ix = torch.randint(0, Xtr.shape[0], (batch,), generator=g)
            loss = F.cross_entropy(forward(Xtr[ix]), Ytr[ix])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if bar is not None:
                bar.update()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            train = F.cross_entropy(forward(Xtr), Ytr).item()
            dev = F.cross_entropy(forward(Xdev), Ydev).item()
    if bar is not None:
        bar.close()
    return {"train": train, "dev": dev, "seconds": seconds,
            "parameters": sum(p.numel() for p in params)}
