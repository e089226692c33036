"""Typical mistakes for lesson 06 (training.py); see tests/test_mutants.py.

Kinds of checks (README, "Kinds of checks every lesson has"; tests/test_check_kinds.py):

| kind | covered by |
|---|---|
| randomness | TODO 1: init_params with seeds 42, 7, 1, 3 (init_generator_ignored, init_own_seed); TODO 5: train with seeds 42, 7 (train_global_rng) |
| generality | TODO 1: block sizes 1 and 5, n_embd 1 and 3 (init_w1_lecture_rows); TODO 2: block sizes 2 and 5, n_embd 2 and 4 (forward_view_minus_one_six); TODO 3: block size 4, n_embd 3; TODO 4, TODO 5: zero steps, a batch larger than X |
| inputs | TODO 2: forward leaves params and X unchanged (forward_shrinks_w2_in_place); TODO 3: train_step leaves X and Y unchanged; TODO 5: train leaves X and Y unchanged (call_unmodified) |
| gradients | TODO 2: the gradient of forward's logits reaches every parameter (call_with_grad; forward_under_no_grad, forward_embedding_data); train_step's checks also see every parameter updated (step_skips_biases) |
| range | TODO 3: logits of about +-100 (step_handmade_softmax) |
| figures | n/a: lesson 06 draws nothing (lesson 07 plots the lr sweep) |
| devices | TODO 5: the minibatch indices on X's device (train_indices_default_device, strict) |
"""

STEP_UPDATE = "            p -= lr * p.grad\n"
RANDINT = ("ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator, "
           "device=X.device)")

MUTANTS = {
    # TODO 1
    "init_generator_ignored": dict(
        todo=1, kind="randomness",
        old="torch.randn(shape, generator=generator, device=generator.device,",
        new="torch.randn(shape,",
        hint="not the global RNG"),
    "init_own_seed": dict(
        todo=1, kind="randomness",
        old="torch.randn(shape, generator=generator, device=generator.device,",
        new="torch.randn(shape, generator=torch.Generator().manual_seed(2147483647),",
        hint="nor a new one seeded by you"),
    "init_uniform": dict(
        todo=1,
        old="torch.randn(shape, generator=generator, device=generator.device,",
        new="torch.rand(shape, generator=generator, device=generator.device,",
        hint="torch.rand draws uniformly"),
    "init_no_requires_grad": dict(
        todo=1,
        old="                              requires_grad=True)",
        new="                              requires_grad=False)",
        hint="requires_grad=True"),
    "init_w1_lecture_rows": dict(
        todo=1, kind="generality",
        old='"W1": (block_size * n_embd, n_hidden),\n        "b1"',
        new='"W1": (3 * n_embd, n_hidden),\n        "b1"',
        hint="W1 (block_size * n_embd, n_hidden)"),
    # TODO 2
    "forward_view_minus_one_six": dict(
        todo=2, kind="generality",
        old="emb.view(X.shape[0], -1) @",
        new="emb.view(-1, 6) @",
        hint="view(-1, 6) only fits block_size 3"),
    "forward_no_tanh": dict(
        todo=2,
        old='h = torch.tanh(emb.view(X.shape[0], -1) @ params["W1"] + params["b1"])',
        new='h = emb.view(X.shape[0], -1) @ params["W1"] + params["b1"]',
        hint="apply tanh"),
    "forward_context_out_of_order": dict(
        todo=2,
        old="emb.view(X.shape[0], -1) @",
        new="emb.transpose(1, 2).reshape(X.shape[0], -1) @",
        hint="out of order"),
    "forward_under_no_grad": dict(
        todo=2, kind="gradients",
        old='    return h @ params["W2"] + params["b2"]  # (n, vocab_size)',
        new='    with torch.no_grad():\n        return h @ params["W2"] + params["b2"]',
        hint="no torch.no_grad()"),
    "forward_embedding_data": dict(
        todo=2, kind="gradients",
        old='emb = params["C"][X]',
        new='emb = params["C"].data[X]',
        hint="not .data or a detached copy"),
    "forward_shrinks_w2_in_place": dict(
        todo=2, kind="inputs",
        old='    emb = params["C"][X]  # (n, block_size, n_embd)\n',
        new=('    params["W2"].data *= 0.1  # smaller logits\n'
             '    emb = params["C"][X]  # (n, block_size, n_embd)\n'),
        hint="no in-place operation"),
    # TODO 3
    "step_grads_not_zeroed": dict(
        todo=3,
        old="    for p in params.values():\n        p.grad = None\n",
        new="",
        hint="gradients accumulate across steps"),
    "step_lr_wrong_sign": dict(
        todo=3,
        old=STEP_UPDATE,
        new="            p += lr * p.grad\n",
        hint="wrong sign"),
    "step_loss_after_update": dict(
        todo=3,
        old="    return loss.item()\n",
        new="    return F.cross_entropy(forward(params, X), Y).item()\n",
        hint="loss computed before the update"),
    "step_returns_tensor": dict(
        todo=3,
        old="    return loss.item()\n",
        new="    return loss\n",
        hint="loss.item()"),
    "step_update_outside_no_grad": dict(
        todo=3,
        old="    with torch.no_grad():\n        for p in params.values():\n" + STEP_UPDATE,
        new="    for p in params.values():\n        p -= lr * p.grad\n",
        hint="an in-place change of a leaf"),
    "step_rebinds_loop_variable": dict(
        todo=3,
        old=STEP_UPDATE,
        new="            p = p - lr * p.grad\n",
        hint="only rebinds a name"),
    "step_update_builds_graph": dict(
        todo=3,
        old="    with torch.no_grad():\n        for p in params.values():\n" + STEP_UPDATE,
        new=("    for k, p in list(params.items()):\n"
             "        params[k] = p - lr * p.grad\n"),
        hint="the update built a graph"),
    "step_skips_biases": dict(
        todo=3,
        old="        for p in params.values():\n" + STEP_UPDATE,
        new="        for p in (params['C'], params['W1'], params['W2']):\n" + STEP_UPDATE,
        hint="update every parameter"),
    "step_handmade_softmax": dict(
        todo=3, kind="range",
        old="    loss = F.cross_entropy(forward(params, X), Y)\n",
        new=("    counts = forward(params, X).exp()\n"
             "    probs = counts / counts.sum(1, keepdim=True)\n"
             "    loss = -probs[torch.arange(X.shape[0]), Y].log().mean()\n"),
        hint="a hand-written softmax overflows"),
    # TODO 4
    "overfit_one_step_short": dict(
        todo=4,
        old="for _ in range(steps)]",
        new="for _ in range(steps - 1)]",
        hint="one loss per step"),
    "overfit_fixed_lr": dict(
        todo=4,
        old="return [train_step(params, X, Y, lr) for _ in range(steps)]",
        new="return [train_step(params, X, Y, 0.1) for _ in range(steps)]",
        hint="use the lr you were given"),
    # TODO 5
    "train_global_rng": dict(
        todo=5, kind="randomness",
        old=RANDINT,
        new="ix = torch.randint(0, X.shape[0], (batch_size,), device=X.device)",
        hint="not the global RNG"),
    "train_full_batch": dict(
        todo=5,
        old="losses.append(train_step(params, X[ix], Y[ix], step_lr))",
        new="losses.append(train_step(params, X, Y, step_lr))",
        hint="not the whole of X"),
    "train_batch_drawn_once": dict(
        todo=5,
        old="    losses = []\n    for step in step_numbers:\n        " + RANDINT + "\n",
        new="    losses = []\n    " + RANDINT + "\n    for step in step_numbers:\n",
        hint="a fresh minibatch at every step"),
    "train_randint_high_minus_one": dict(
        todo=5,
        old=RANDINT,
        new=("ix = torch.randint(0, X.shape[0] - 1, (batch_size,), generator=generator, "
             "device=X.device)"),
        hint="high is exclusive"),
    "train_indices_default_device": dict(
        todo=5, kind="devices",
        old=RANDINT,
        new="ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator)",
        hint="device=X.device",
        device="strict"),
}
