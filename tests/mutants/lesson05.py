"""Typical mistakes for lesson 05 (loss.py); see tests/test_mutants.py.

Kinds of checks (README, "Kinds of checks every lesson has"; tests/test_check_kinds.py):

| kind | covered by |
|---|---|
| randomness | n/a: nothing here draws random numbers (the checks' inputs are seeded) |
| generality | TODO 1-5: 2 to 228146 rows, 3, 4, 5, 7 and 27 classes, one row, an empty batch for the layer and the softmaxes |
| inputs | TODO 1-5: every function through call_unmodified |
| gradients | TODO 1, 2, 3, 4, 5: each result's gradient equals the library's (call_with_grad) |
| range | TODO 4, TODO 5: logits of +-100, +-300 and +-1000 |
| figures | n/a: no figure |
| devices | TODO 3: torch.arange on Y's device (strict mutant) |

TODOs 2-5 are also run once with F.softmax, F.cross_entropy and friends replaced by
functions that raise (helper call_without): the README asks for them by hand.
"""

# The softmax of TODO 2 (the counts line makes it differ from stable_softmax's).
SOFTMAX = "counts = logits.exp()  # (n, vocab_size)\n    return counts / "

MUTANTS = {
    "bias_forgotten": {
        "todo": 1,
        "old": "return h @ W2 + b2\n",
        "new": "return h @ W2\n",
        "hint": "add the bias b2"},
    "softmax_sum_without_keepdim": {
        "todo": 2,
        "old": SOFTMAX + "counts.sum(1, keepdim=True)",
        "new": SOFTMAX + "counts.sum(1)",
        "hint": "without keepdim=True the (n,) row sums broadcast as a row"},
    "softmax_column_sums": {
        "todo": 2,
        "old": SOFTMAX + "counts.sum(1, keepdim=True)",
        "new": SOFTMAX + "counts.sum(0, keepdim=True)",
        "hint": "divided by its column sum (sum(0))"},
    "softmax_total_sum": {
        "todo": 2,
        "old": SOFTMAX + "counts.sum(1, keepdim=True)",
        "new": SOFTMAX + "counts.sum()",
        "hint": "divided by the total sum"},
    "softmax_without_exp": {
        "todo": 2,
        "old": "counts = logits.exp()  # (n, vocab_size)\n",
        "new": "counts = logits  # (n, vocab_size)\n",
        "hint": "exponentiate the logits first"},
    "nll_every_column_of_Y": {
        "todo": 3,
        "old": "return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "new": "return -probs[:, Y].log().mean()",
        "hint": "probs[:, Y] is an (n, n) matrix"},
    "nll_mean_over_one_axis": {
        "todo": 3,
        "old": "return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "new": "return -probs[:, Y].log().mean(1)",
        "hint": "a mean over one axis leaves n numbers"},
    "nll_minus_forgotten": {
        "todo": 3,
        "old": "return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "new": "return probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "hint": "minus the mean log probability"},
    "nll_sum_not_mean": {
        "todo": 3,
        "old": "return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "new": "return -probs[torch.arange(n, device=Y.device), Y].log().sum()",
        "hint": "don't sum"},
    "nll_log_of_logits": {
        "todo": 3,
        "old": "return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "new": "return -logits[torch.arange(n, device=Y.device), Y].log().mean()",
        "hint": "not of the logits"},
    "nll_returns_float": {
        "kind": "gradients", "todo": 3,
        "old": "return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "new": "return -probs[torch.arange(n, device=Y.device), Y].log().mean().item()",
        "hint": "no .item()"},
    "stable_softmax_naive": {
        "kind": "range", "todo": 4,
        "old": "counts = (logits - m).exp()",
        "new": "counts = logits.exp()",
        "hint": "exp overflows for large logits"},
    "stable_softmax_global_max": {
        "todo": 4,
        "old": "m = logits.max(1, keepdim=True).values  # (n, 1)\n    counts =",
        "new": "m = logits.max()  # (n, 1)\n    counts =",
        "hint": "not the global logits.max()"},
    "stable_softmax_max_without_keepdim": {
        "todo": 4,
        "old": "m = logits.max(1, keepdim=True).values  # (n, 1)\n    counts =",
        "new": "m = logits.max(1).values  # (n, 1)\n    counts =",
        "hint": "without keepdim=True the (n,) row maxima"},
    "stable_softmax_max_without_values": {
        "todo": 4,
        "old": "m = logits.max(1, keepdim=True).values  # (n, 1)\n    counts =",
        "new": "m = logits.max(1, keepdim=True)  # (n, 1)\n    counts =",
        "hint": "use its .values"},
    "stable_nll_log_of_softmax": {
        "todo": 5,
        "old": "    correct = logits[torch.arange(n, device=Y.device), Y]  # (n,)\n"
            "    return (logsumexp - correct).mean()",
        "new": "    probs = stable_softmax(logits)\n"
            "    return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "hint": "log of the softmax underflows"},
    "stable_nll_naive_logsumexp": {
        "kind": "range", "todo": 5,
        "old": "logsumexp = m.squeeze(1) + (logits - m).exp().sum(1).log()",
        "new": "logsumexp = logits.exp().sum(1).log()",
        "hint": "exp overflows for large logits"},
    "stable_nll_global_max": {
        "todo": 5,
        "old": "m = logits.max(1, keepdim=True).values  # (n, 1)\n    logsumexp",
        "new": "m = logits.max().view(1, 1)  # (n, 1)\n    logsumexp",
        "hint": "not the global logits.max()"},
    "stable_nll_max_not_added_back": {
        "todo": 5,
        "old": "logsumexp = m.squeeze(1) + (logits - m)",
        "new": "logsumexp = (logits - m)",
        "hint": "add the maximum back"},
    "stable_nll_sign_flipped": {
        "todo": 5,
        "old": "return (logsumexp - correct).mean()",
        "new": "return (correct - logsumexp).mean()",
        "hint": "minus the log probability"},
    "arange_on_the_default_device": {
        "kind": "devices", "todo": 3,
        "old": "return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "new": "return -probs[torch.arange(n), Y].log().mean()",
        "device": "strict",
        "hint": "mixes tensors on different devices"},
    # ---- kinds of checks: mistakes a wrong program could pass by, and hints from errors
    "softmax_from_the_library": {  # the README asks for it by hand
        "todo": 2,
        "old": SOFTMAX + "counts.sum(1, keepdim=True)",
        "new": "return torch.nn.functional.softmax(logits, dim=1)",
        "hint": "this TODO is written by hand"},
    "softmax_exp_in_place": {
        "todo": 2, "kind": "inputs",
        "old": "counts = logits.exp()  # (n, vocab_size)\n",
        "new": "counts = logits.exp_()  # (n, vocab_size)\n",
        "hint": "softmax changed its argument logits in place"},
    "loss_of_32_examples": {
        "todo": 3, "kind": "generality",
        "old": "return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "new": "return -probs[torch.arange(32, device=Y.device), Y].log().mean()",
        "hint": "not a fixed number such as the lecture's 32"},
    "loss_rebuilt_from_item": {
        "todo": 3, "kind": "gradients",
        "old": "return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "new": "loss = -probs[torch.arange(n, device=Y.device), Y].log().mean()\n"
               "    return torch.tensor(loss.item(), device=logits.device)",
        "hint": "no gradient reaches the inputs"},
    "loss_from_log_softmax": {
        "todo": 3,
        "old": "    probs = softmax(logits)  # (n, vocab_size)\n    n = logits.shape[0]\n"
               "    return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "new": "    return torch.nn.functional.nll_loss(logits.log_softmax(1), Y)",
        "hint": "this TODO is written by hand"},
    "stable_softmax_subtracts_in_place": {
        "todo": 4, "kind": "inputs",
        "old": "counts = (logits - m).exp()",
        "new": "logits -= m\n    counts = logits.exp()",
        "hint": "stable_softmax changed its argument logits in place"},
    "stable_loss_from_cross_entropy": {
        "todo": 5,
        "old": "    correct = logits[torch.arange(n, device=Y.device), Y]  # (n,)\n"
               "    return (logsumexp - correct).mean()",
        "new": "    return torch.nn.functional.cross_entropy(logits, Y)",
        "hint": "this TODO is written by hand"},
}
