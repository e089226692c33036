"""Typical mistakes for lesson 01 (bigram.py); see tests/test_mutants.py.

Kinds of checks (README, "Kinds of checks every lesson has"; tests/test_check_kinds.py):

| kind | covered by |
|---|---|
| randomness | TODO 6, TODO 7: sample_names and neural_bigram run with seeds 2147483647 and 42 |
| generality | TODO 1, 2, 3, 7: other alphabets ({'.', 'x', 'y'}, capitals and digits), no words at all; TODO 6 n = 0 |
| inputs | TODO 1, TODO 3, TODO 4, TODO 5, TODO 6: build_vocab, count_bigrams, bigram_probs, nll and sample_names through call_unmodified |
| gradients | n/a: neural_bigram trains W itself and returns it detached; its losses are replayed step by step instead |
| range | n/a: no function here is asked to be numerically stable (logits of a one-layer bigram stay small) |
| figures | TODO 8: every bigram label and count at its cell (x = column, y = row) |
| devices | TODO 5: nll creates its index tensors on P's device (strict mutant) |
"""

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
        todo=6, kind="randomness",
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
        todo=8, kind="figures",
        old="            ax.text(j, i, itos[i] + itos[j]",
        new="            0 and ax.text(j, i, itos[i] + itos[j]",
        hint="label every cell"),
    # ---- kinds of checks: mistakes a wrong program could pass by
    "fixed_alphabet": dict(
        todo=1, kind="generality",
        old='chars = sorted(set("".join(words)))',
        new='chars = list("abcdefghijklmnopqrstuvwxyz")',
        hint="a fixed a-z only fits names.txt"),
    "pairs_without_dtype": dict(
        todo=2, kind="generality",
        old="return (torch.tensor(xs, dtype=torch.int64, device=device),\n"
            "            torch.tensor(ys, dtype=torch.int64, device=device))",
        new="return (torch.tensor(xs, device=device),\n"
            "            torch.tensor(ys, device=device))",
        hint="torch.tensor([]) alone is float32"),
    "counts_for_27_characters": dict(
        todo=3, kind="generality",
        old="V = len(stoi)\n    xs, ys = bigram_pairs(words, stoi)\n    return",
        new="V = 27\n    xs, ys = bigram_pairs(words, stoi)\n    return",
        hint="a fixed 27"),
    "smoothing_added_in_place": dict(
        todo=4, kind="inputs",
        old="P = (N + smoothing).float()",
        new="N += smoothing\n    P = N.float()",
        hint="changed its argument N in place"),
    "nll_pairs_on_the_default_device": dict(
        todo=5, kind="devices", device="strict",
        old="bigram_pairs(words, stoi, device=P.device)\n    return",
        new="bigram_pairs(words, stoi)\n    return",
        hint="mixes tensors on different devices"),
    "sampling_with_its_own_seed": dict(
        todo=6, kind="randomness",
        old="    names = []\n    for _ in range(n):",
        new="    generator = torch.Generator().manual_seed(SEED)\n    names = []\n"
            "    for _ in range(n):",
        hint="do not change with the generator's seed"),
    "training_with_its_own_seed": dict(
        todo=7, kind="randomness",
        old="    if generator is None:\n        generator = torch.Generator().manual_seed(SEED)",
        new="    generator = torch.Generator().manual_seed(SEED)",
        hint="drawn with the generator you are given"),
    "network_for_27_characters": dict(
        todo=7, kind="generality",
        old="V = len(stoi)\n    xs, ys = bigram_pairs(words, stoi)\n    num",
        new="V = 27\n    xs, ys = bigram_pairs(words, stoi)\n    num",
        hint="a fixed 27 only fits names.txt"),
    "labels_transposed": dict(
        todo=8, kind="figures",
        old="ax.text(j, i, itos[i] + itos[j]",
        new="ax.text(i, j, itos[i] + itos[j]",
        hint="not ax.text(i, j, ...)"),
}
