"""Correct but unusual ways to write lesson 05 (loss.py); see tests/test_alternatives.py."""

ALTERNATIVES = {
    "addmm": {
        "todo": 1,
        "old": "    return h @ W2 + b2\n",
        "new": "    return torch.addmm(b2, h, W2)\n"},
    "softmax_last_dim_in_float64": {
        "todo": 2,
        "old": "    counts = logits.exp()  # (n, vocab_size)\n    return counts / counts.sum(1, "
               "keepdim=True)",
        "new": "    counts = torch.exp(logits.double())\n"
               "    return (counts / counts.sum(dim=-1, keepdim=True)).to(logits.dtype)"},
    "nll_gather": {
        "todo": 3,
        "old": "    return -probs[torch.arange(n, device=Y.device), Y].log().mean()",
        "new": "    return -probs.gather(1, Y.unsqueeze(1)).log().sum() / n"},
    "stable_softmax_logsumexp": {
        "todo": 4,
        "old": "    m = logits.max(1, keepdim=True).values  # (n, 1)\n"
               "    counts = (logits - m).exp()  # (n, vocab_size), largest entry of each row is 1\n"
               "    return counts / counts.sum(1, keepdim=True)",
        "new": "    return (logits - torch.logsumexp(logits, dim=1, keepdim=True)).exp()"},
    "stable_nll_logsumexp_gather": {
        "todo": 5,
        "old": "    m = logits.max(1, keepdim=True).values  # (n, 1)\n"
               "    logsumexp = m.squeeze(1) + (logits - m).exp().sum(1).log()  # (n,)\n"
               "    correct = logits[torch.arange(n, device=Y.device), Y]  # (n,)\n"
               "    return (logsumexp - correct).mean()",
        "new": "    lse = torch.logsumexp(logits, 1)  # (n,)\n"
               "    return (lse - logits.gather(1, Y.view(-1, 1)).squeeze(1)).mean()"},
}
