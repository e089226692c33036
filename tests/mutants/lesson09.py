"""Typical mistakes for lesson 09 (experiments.py); see tests/test_mutants.py.

Kinds of checks (README, "Kinds of checks every lesson has"; tests/test_check_kinds.py):

| kind | covered by |
|---|---|
| randomness | TODO 6: init_uniform with seeds 2147483647 and 42, the same seed twice (init_global_rng); TODO 7: compare_direct with two seeds; E01's seed is the student's own, trained by the course's trainer |
| generality | TODO 1: plot_embeddings with a 4-symbol vocabulary '#', 'x', 'Q', '7' and float64 (labels_fixed_alphabet); TODO 2: an empty loss list; TODO 3: step_decay with three milestones and none; TODO 5: uniform_loss for 1, 2, 65, 1000; TODO 6: init_uniform for vocabulary 5 with block sizes 1, 4, 5 (init_lecture_sizes); TODO 7: forward_direct for block sizes 1, 4, 5, n_embd 7, 3, 2 (direct_lecture_sizes) |
| inputs | TODO 7: forward_direct and compare_direct through call_unmodified (direct_in_place); the plots return a Figure, which call_unmodified cannot send back, and their lists arrive as copies; the other functions take no tensors |
| gradients | TODO 7: every parameter of forward_direct, Wd included, receives the exact gradient (call_with_grad; direct_weights_detached, direct_embeddings_detached); init_uniform's parameters must also require grad and learn, checked by training them (init_not_leaf) |
| range | TODO 7: forward_direct with embeddings around 60, where a hand-written tanh overflows (direct_tanh_by_hand); E02's logits are small by design |
| figures | TODO 1: the scatter's points and every character at its own point (labels_mirrored); TODO 2: the line's (step, log10 loss) data (loss_curve_ln), both through figure_info |
| devices | TODO 7: forward_direct and compare_direct run under strict devices, compare_direct draws on the CPU and moves to X's device (compare_randint_default_device); init_uniform and e01_config take no tensors |
"""

PLOT_TEXT = "ax.text(x, y, itos[i], ha=\"center\", va=\"center\", color=\"white\")"
INIT_W2 = "W2 = torch.randn((n_hidden, vocab_size), generator=generator) * 0.01"
DIRECT = "return h @ params[\"W2\"] + params[\"b2\"] + x @ params[\"Wd\"]"

MUTANTS = {
    # TODO 1: plot_embeddings
    "labels_mirrored": dict(
        todo=1, kind="figures",
        old=PLOT_TEXT,
        new="ax.text(y, x, itos[i], ha=\"center\", va=\"center\", color=\"white\")",
        hint="the labels are mirrored"),
    "labels_fixed_alphabet": dict(
        todo=1, kind="generality",
        old=PLOT_TEXT,
        new="ax.text(x, y, \".abcdefghijklmnopqrstuvwxyz\"[i], ha=\"center\", va=\"center\")",
        hint="not from a fixed alphabet"),
    "scatter_rows_not_columns": dict(
        todo=1,
        old="ax.scatter(points[:, 0].tolist(), points[:, 1].tolist(), s=200)",
        new="ax.scatter(points[0].tolist(), points[1].tolist(), s=200)",
        hint="not the rows C[0] and C[1]"),
    "plot_without_detach": dict(
        todo=1,
        old="points = C.detach().cpu()  # (vocab_size, 2)",
        new="points = torch.from_numpy(C.numpy())  # (vocab_size, 2)",
        hint="since a trained C requires grad"),
    # TODO 2: plot_loss_curve
    "loss_curve_ln": dict(
        todo=2, kind="figures",
        old="log_losses = [math.log10(loss) for loss in losses]",
        new="log_losses = [math.log(loss) for loss in losses]",
        hint="that is the natural log"),
    "loss_curve_raw": dict(
        todo=2,
        old="ax.plot(steps, log_losses)",
        new="ax.plot(steps, losses)",
        hint="plot log10(loss), not the loss itself"),
    "loss_curve_steps_from_one": dict(
        todo=2,
        old="steps = list(range(len(losses)))",
        new="steps = list(range(1, len(losses) + 1))",
        hint="the steps count from 0"),
    # TODO 3: step_decay
    "decay_after_milestone": dict(
        todo=3,
        old="reached = sum(1 for m in milestones if m <= step)",
        new="reached = sum(1 for m in milestones if m < step)",
        hint="step 100000 is already trained with the decayed rate"),
    "decay_once": dict(
        todo=3,
        old="return float(base_lr * gamma ** reached)",
        new="return float(base_lr * gamma if reached else base_lr)",
        hint="gamma ** k, not gamma once"),
    "decay_lecture_numbers": dict(
        todo=3,
        old="reached = sum(1 for m in milestones if m <= step)\n    return float(base_lr * gamma ** reached)",
        new="return 0.1 if step < 100000 else 0.01",
        hint="not the lecture's numbers"),
    # TODO 4: e01_config
    "e01_over_parameter_budget": dict(
        todo=4,
        old="\"block_size\": 5, \"n_embd\": 24, \"n_hidden\": 500,",
        new="\"block_size\": 8, \"n_embd\": 32, \"n_hidden\": 800,",
        hint="parameters, more than the budget"),
    "e01_unknown_optimizer": dict(
        todo=4,
        old="\"optimizer\": \"adamw\"",
        new="\"optimizer\": \"adam\"",
        hint="optimizer must be 'sgd' or 'adamw'"),
    "e01_lr_as_text": dict(
        todo=4,
        old="\"lr\": 0.015,",
        new="\"lr\": \"1e-2\",",
        hint="lr must be a number"),
    "e01_over_time_budget": dict(
        todo=4,
        old="\"steps\": 2500,",
        new="\"steps\": 200000,",
        hint="more than the budget's 60 s"),
    "e01_too_few_steps": dict(
        todo=4, slow=True,
        old="\"steps\": 2500,",
        new="\"steps\": 15,",
        hint="the dev loss is at most 2.2"),
    # TODO 5: uniform_loss
    "uniform_log10": dict(
        todo=5,
        old="return -math.log(1.0 / vocab_size)",
        new="return -math.log10(1.0 / vocab_size)",
        hint="that is log10"),
    "uniform_sign": dict(
        todo=5,
        old="return -math.log(1.0 / vocab_size)",
        new="return math.log(1.0 / vocab_size)",
        hint="the loss is MINUS the log probability"),
    "uniform_tensor": dict(
        todo=5,
        old="return -math.log(1.0 / vocab_size)",
        new="return -torch.log(torch.tensor(1.0 / vocab_size))",
        hint="return a Python float"),
    # TODO 6: init_uniform
    "init_lecture_randn": dict(
        todo=6,
        old=INIT_W2,
        new="W2 = torch.randn((n_hidden, vocab_size), generator=generator)",
        hint="far above ln 27"),
    "init_b2_random": dict(
        todo=6,
        old="b2 = torch.randn(vocab_size, generator=generator) * 0",
        new="b2 = torch.randn(vocab_size, generator=generator)",
        hint="W2 times 0.01 and b2 zero"),
    "init_all_zero": dict(
        todo=6,
        old="params = {\"C\": C, \"W1\": W1, \"b1\": b1, \"W2\": W2, \"b2\": b2}",
        new="params = {\"C\": C * 0, \"W1\": W1 * 0, \"b1\": b1 * 0, \"W2\": W2 * 0, \"b2\": b2}",
        hint="the network must still be able to learn"),
    "init_global_rng": dict(
        todo=6, kind="randomness",
        old="C = torch.randn((vocab_size, n_embd), generator=generator)",
        new="C = torch.randn((vocab_size, n_embd))",
        hint="generator=generator"),
    "init_not_leaf": dict(
        todo=6,
        old="    for p in params.values():\n        p.requires_grad_(True)\n",
        new="",
        hint="requires_grad_(True) on each parameter after scaling"),
    "init_lecture_sizes": dict(
        todo=6, kind="generality",
        old="fan_in = block_size * n_embd",
        new="fan_in = 3 * n_embd",
        hint="W1 has block_size * n_embd rows"),
    # TODO 7: forward_direct (and compare_direct, which uses it)
    "direct_missing": dict(
        todo=7,
        old=DIRECT,
        new="return h @ params[\"W2\"] + params[\"b2\"]",
        hint="the direct term is missing"),
    "direct_weights_detached": dict(
        todo=7, kind="gradients",
        old=DIRECT,
        new="return h @ params[\"W2\"] + params[\"b2\"] + x @ params[\"Wd\"].detach()",
        hint="Wd must take part in the logits"),
    "direct_embeddings_detached": dict(
        todo=7, kind="gradients",
        old=DIRECT,
        new="return h @ params[\"W2\"] + params[\"b2\"] + x.detach() @ params[\"Wd\"]",
        hint="through x the gradient also reaches C"),
    "direct_in_place": dict(
        todo=7, kind="inputs",
        old="x = params[\"C\"][X].view(X.shape[0], -1)  # (n, block_size * n_embd)",
        new="X.clamp_(0, params[\"C\"].shape[0] - 1)  # never index out of range\n"
            "    x = params[\"C\"][X].view(X.shape[0], -1)  # (n, block_size * n_embd)",
        hint="no X.clamp_"),
    "direct_tanh_by_hand": dict(
        todo=7, kind="range",
        old="h = torch.tanh(x @ params[\"W1\"] + params[\"b1\"])  # (n, n_hidden)",
        new="a = x @ params[\"W1\"] + params[\"b1\"]\n"
            "    h = ((2 * a).exp() - 1) / ((2 * a).exp() + 1)  # (n, n_hidden)",
        hint="a hand-written (exp(2a) - 1) / (exp(2a) + 1) overflows"),
    "direct_lecture_sizes": dict(
        todo=7, kind="generality",
        old="x = params[\"C\"][X].view(X.shape[0], -1)  # (n, block_size * n_embd)\n    h",
        new="x = params[\"C\"][X].view(-1, 30)  # (n, block_size * n_embd)\n    h",
        hint="not the lecture's 3 * 10"),
    "compare_randint_default_device": dict(
        todo=7, kind="devices", device="strict",
        old="ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator, device=cpu)\n"
            "            ix = ix.to(device)",
        new="ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator)",
        hint="mixes tensors on different devices"),
}
