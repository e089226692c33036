"""Typical mistakes for lesson 07 (lr_finder.py); see tests/test_mutants.py.

Kinds of checks (README, "Kinds of checks every lesson has"; tests/test_check_kinds.py):

| kind | covered by |
|---|---|
| randomness | TODO 1: lr_sweep with seeds 42, 7, 3, and 42 on names.txt (sweep_global_rng) |
| generality | TODO 1: 4, 7 and 1 rates, a batch larger than X, block_size 2; TODO 2: windows 1, 3 and longer than the sweep (suggest_window_not_clipped) |
| inputs | TODO 1: lr_sweep leaves X and Y unchanged; TODO 2: suggest_lr leaves a tensor of losses unchanged (call_unmodified; suggest_losses_in_place) |
| gradients | n/a: nothing returned is differentiable; the sweep's parameter updates are compared with the reference train_step's (sweep_fresh_params_each_rate) |
| range | TODO 2: losses that are nan and inf once the rate is too large (suggest_nan_wins_argmin, suggest_nan_to_num) |
| figures | TODO 3: the line's (lr, loss) points, the log x axis, the label at x = suggested (figure_info; plot_linear_x_axis, plot_exponents, plot_label_at_first_rate) |
| devices | TODO 1: the rates on X's device (sweep_rates_default_device); TODO 2: the losses on lrs' device (suggest_default_device), both strict |
"""

LINSPACE = "lrs = 10 ** torch.linspace(-3, 0, steps, device=X.device)"
RANDINT = ("ix = torch.randint(0, X.shape[0], (batch_size,), generator=generator, "
           "device=X.device)")
AS_TENSOR = "L = torch.as_tensor(losses, dtype=torch.float64, device=lrs.device)  # (n,)\n"
WHERE = "    L = torch.where(torch.isfinite(L), L, math.inf)\n"

MUTANTS = {
    # TODO 1
    "sweep_linear_rates": dict(
        todo=1,
        old=LINSPACE,
        new="lrs = torch.linspace(0.001, 1, steps, device=X.device)",
        hint="the rates grow exponentially"),
    "sweep_exponents_as_rates": dict(
        todo=1,
        old=LINSPACE,
        new="lrs = torch.linspace(-3, 0, steps, device=X.device)",
        hint="these are the exponents"),
    "sweep_same_batch": dict(
        todo=1,
        old="    losses = []\n    for lr in lrs:\n        " + RANDINT + "\n",
        new="    losses = []\n    " + RANDINT + "\n    for lr in lrs:\n",
        hint="a fresh minibatch for every rate"),
    "sweep_global_rng": dict(
        todo=1, kind="randomness",
        old=RANDINT,
        new="ix = torch.randint(0, X.shape[0], (batch_size,), device=X.device)",
        hint="not the global RNG"),
    "sweep_fresh_params_each_rate": dict(
        todo=1,
        old="losses.append(train_step(params, X[ix], Y[ix], lr.item()))",
        new=("losses.append(train_step({k: v.detach().clone().requires_grad_() "
             "for k, v in params.items()}, X[ix], Y[ix], lr.item()))"),
        hint="not a fresh copy for each rate"),
    "sweep_rates_default_device": dict(
        todo=1, kind="devices",
        old=LINSPACE,
        new="lrs = 10 ** torch.linspace(-3, 0, steps)",
        hint="device=X.device",
        device="strict"),
    # TODO 2
    "suggest_nan_wins_argmin": dict(
        todo=2, kind="range",
        old=WHERE,
        new="",
        hint="argmin picks a nan"),
    "suggest_nan_to_num": dict(
        todo=2, kind="range",
        old=WHERE,
        new="    L = torch.nan_to_num(L)\n",
        hint="count every non-finite loss as +inf"),
    "suggest_no_smoothing": dict(
        todo=2,
        old="    smoothed = L.unfold(0, w, 1).mean(1)  # (n - w + 1,)\n    i = int(smoothed.argmin())\n"
            "    return float(lrs[i + w // 2])\n",
        new="    return float(lrs[int(L.argmin())])\n",
        hint="smooth first"),
    "suggest_window_end": dict(
        todo=2,
        old="return float(lrs[i + w // 2])",
        new="return float(lrs[i + w - 1])",
        hint="the middle of the best window"),
    "suggest_window_not_clipped": dict(
        todo=2, kind="generality",
        old="w = min(window, L.shape[0])",
        new="w = window",
        hint="w = min(window, n)"),
    "suggest_losses_in_place": dict(
        todo=2, kind="inputs",
        old=AS_TENSOR + WHERE,
        new=("L = torch.as_tensor(losses, device=lrs.device)  # (n,)\n"
             "    L[~torch.isfinite(L)] = math.inf\n"),
        hint="not in place"),
    "suggest_default_device": dict(
        todo=2, kind="devices",
        old=AS_TENSOR,
        new="L = torch.tensor(losses, dtype=torch.float64)  # (n,)\n",
        hint="device=lrs.device",
        device="strict"),
    # TODO 3
    "plot_linear_x_axis": dict(
        todo=3, kind="figures",
        old='    ax.set_xscale("log")\n',
        new="",
        hint='ax.set_xscale("log")'),
    "plot_exponents": dict(
        todo=3, kind="figures",
        old="ax.plot(x.numpy(), y.numpy(), linewidth=1)",
        new="ax.plot(x.log10().numpy(), y.numpy(), linewidth=1)",
        hint="not their exponents"),
    "plot_against_step": dict(
        todo=3,
        old="ax.plot(x.numpy(), y.numpy(), linewidth=1)",
        new="ax.plot(y.numpy(), linewidth=1)",
        hint="not against the step number"),
    "plot_label_at_first_rate": dict(
        todo=3, kind="figures",
        old='ax.text(suggested, top, f"lr {suggested:.3g}"',
        new='ax.text(float(x[0]), top, f"lr {suggested:.3g}"',
        hint="put the label at x = suggested"),
    "plot_returns_axes": dict(
        todo=3,
        old="    return fig\n",
        new="    return ax\n",
        hint="return the Figure itself"),
}
