"""Correct but unusual ways to write lesson 04 (hidden.py); see tests/test_alternatives.py."""

ALTERNATIVES = {
    "flatten_method": {
        "todo": 1,
        "old": "    n, block_size, n_embd = emb.shape\n    return emb.view(n, block_size * n_embd)",
        "new": "    return emb.flatten(1)"},
    "cat_of_slices": {
        "todo": 2,
        "old": "    return torch.cat(torch.unbind(emb, 1), 1)",
        "new": "    return torch.cat([emb[:, k] for k in range(emb.shape[1])], dim=1)"},
    "hidden_in_float64": {
        "todo": 3,
        "old": "    return torch.tanh(emb_flat @ W1 + b1)",
        "new": "    h = torch.tanh(emb_flat.double() @ W1.double() + b1.double())\n"
               "    return h.to(emb.dtype)"},
    "hidden_with_addmm": {
        "todo": 3,
        "old": "    return torch.tanh(emb_flat @ W1 + b1)",
        "new": "    return torch.addmm(b1, emb.reshape(emb.shape[0], W1.shape[0]), W1).tanh()"},
    "strides_functional": {
        "todo": 4,
        "old": "    return tuple(reversed(strides))",
        "new": "    import math\n"
               "    return tuple(math.prod(max(s, 1) for s in shape[d + 1:])"
               " for d in range(len(shape)))"},
}
