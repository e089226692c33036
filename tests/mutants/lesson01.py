"""Typical mistakes for lesson 01 (bigram.py); see tests/test_mutants.py."""

MUTANTS = {
    "letters_in_order_of_appearance": dict(
        todo=1,
        old='chars = sorted(set("".join(words)))',
        new='chars = list(dict.fromkeys("".join(words)))',
        hint="sorted order"),
    "dot_not_at_zero": dict(
        todo=1,
        old='stoi = {ch: i + 1 for i, ch in enumerate(chars)}\n    stoi["."] = 0',
        new='stoi = {ch: i for i, ch in enumerate(chars)}\n    stoi["."] = len(chars)',
        hint="'.' must be index 0"),
    "no_end_token": dict(
        todo=2,
        old='chs = ["."] + list(w) + ["."]',
        new='chs = ["."] + list(w)',
        hint="marks the end of every word"),
    "counts_transposed": dict(
        todo=3,
        old="return torch.bincount(xs * V + ys",
        new="return torch.bincount(ys * V + xs",
        hint="N is transposed"),
    "row_sum_without_keepdim": dict(
        todo=4,
        old="return P / P.sum(1, keepdim=True)",
        new="return P / P.sum(1)",
        hint="without keepdim=True"),
    "divided_by_column_sums": dict(
        todo=4,
        old="return P / P.sum(1, keepdim=True)",
        new="return P / P.sum(0, keepdim=True)",
        hint="not by the column sums"),
    "no_smoothing": dict(
        todo=4,
        old="P = (N + smoothing).float()",
        new="P = N.float()",
        hint="add smoothing"),
    "nll_summed": dict(
        todo=5,
        old="return -P[xs, ys].log().mean().item()",
        new="return -P[xs, ys].log().sum().item()",
        hint="do not sum them"),
    "nll_without_minus": dict(
        todo=5,
        old="return -P[xs, ys].log().mean().item()",
        new="return P[xs, ys].log().mean().item()",
        hint="forgot the minus sign"),
    "nll_returns_a_tensor": dict(
        todo=5,
        old="return -P[xs, ys].log().mean().item()",
        new="return -P[xs, ys].log().mean()",
        hint="loss.item()"),
    "sampling_ignores_the_generator": dict(
        todo=6,
        old="replacement=True,\n                                   generator=generator)",
        new="replacement=True)",
        hint="generator=generator"),
    "names_keep_the_dot": dict(
        todo=6,
        old="            if ix == 0:\n                break\n            out.append(itos[ix])",
        new="            out.append(itos[ix])\n            if ix == 0:\n                break",
        hint="without the dots"),
    "gradients_accumulate": dict(
        todo=7,
        old="        W.grad = None\n",
        new="",
        hint="gradients accumulate"),
    "no_regularisation": dict(
        todo=7,
        old=" + reg * (W**2).mean()",
        new="",
        hint="regularisation term"),
    "uphill_step": dict(
        todo=7,
        old="            W -= lr * W.grad",
        new="            W += lr * W.grad",
        hint="step downhill"),
    "heat_map_without_labels": dict(
        todo=8,
        old="            ax.text(j, i, itos[i] + itos[j]",
        new="            0 and ax.text(j, i, itos[i] + itos[j]",
        hint="label every cell"),
}
