"""Typical mistakes for lesson 04 (hidden.py); see tests/test_mutants.py.

Kinds of checks (README, "Kinds of checks every lesson has"; tests/test_check_kinds.py):

| kind | covered by |
|---|---|
| randomness | n/a: nothing here draws random numbers (the checks' inputs are seeded) |
| generality | TODO 1, 2, 3: block_size 1, 3, 4, 5, n_embd 1, 2, 3, 5, 10, an empty batch; TODO 4: shapes (), (7,), (2, 0, 3), four dimensions |
| inputs | TODO 1, TODO 2, TODO 3: flatten_context, concat_context and hidden_layer through call_unmodified |
| gradients | TODO 3: the gradient of h reaches emb, W1 and b1 |
| range | TODO 3: pre-activations of +-50, 60 and 100 (a tanh written with exp gives nan) |
| figures | n/a: no figure |
| devices | n/a: no function creates a tensor; the strict-device run of every check still applies |
"""

MUTANTS = {
    "view_on_the_wrong_axis_order": {
        "todo": 1,
        "old": "return emb.view(n, block_size * n_embd)\n",
        "new": "return emb.transpose(1, 2).reshape(n, -1)\n",
        "hint": "the wrong order"},
    "flatten_copies": {
        "todo": 1,
        "old": "return emb.view(n, block_size * n_embd)\n",
        "new": "return emb.reshape(n, -1).clone()\n",
        "hint": "does not share storage"},
    "flatten_with_fixed_sizes": {
        "todo": 1,
        "old": "return emb.view(n, block_size * n_embd)\n",
        "new": "return emb.view(n, 6)\n",
        "hint": "not always 3 and 2"},
    "three_slices_only": {
        "todo": 2,
        "old": "return torch.cat(torch.unbind(emb, 1), 1)",
        "new": "return torch.cat([emb[:, 0], emb[:, 1], emb[:, 2]], 1)",
        "hint": "three hand-written slices"},
    "concatenated_along_rows": {
        "todo": 2,
        "old": "return torch.cat(torch.unbind(emb, 1), 1)",
        "new": "return torch.cat(torch.unbind(emb, 1), 0)",
        "hint": "along dimension 0"},
    "concat_is_a_view": {
        "todo": 2,
        "old": "return torch.cat(torch.unbind(emb, 1), 1)",
        "new": "return emb.view(emb.shape[0], -1)",
        "hint": "this TODO builds the copy"},
    "no_tanh": {
        "todo": 3,
        "old": "return torch.tanh(emb_flat @ W1 + b1)",
        "new": "return emb_flat @ W1 + b1",
        "hint": "apply the non-linearity"},
    "no_bias": {
        "todo": 3,
        "old": "return torch.tanh(emb_flat @ W1 + b1)",
        "new": "return torch.tanh(emb_flat @ W1)",
        "hint": "add the bias b1"},
    "sigmoid_instead_of_tanh": {
        "todo": 3,
        "old": "return torch.tanh(emb_flat @ W1 + b1)",
        "new": "return torch.sigmoid(emb_flat @ W1 + b1)",
        "hint": "not sigmoid"},
    "strides_reversed": {
        "todo": 4,
        "old": "return tuple(reversed(strides))",
        "new": "return tuple(strides)",
        "hint": "the LAST dimension has stride 1"},
    "strides_include_own_size": {
        "todo": 4,
        "old": "        strides.append(step)\n        step *= max(size, 1)",
        "new": "        step *= max(size, 1)\n        strides.append(step)",
        "hint": "AFTER dimension d"},
    "compares_first_elements": {
        "todo": 5,
        "old": "return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()",
        "new": "return a.data_ptr() == b.data_ptr()",
        "hint": "starts later in the same storage"},
    "compares_objects": {
        "todo": 5,
        "old": "return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()",
        "new": "return a is b",
        "hint": "not the objects"},
    "compares_values": {
        "todo": 5,
        "old": "return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()",
        "new": "return a.numel() == b.numel() and torch.equal(a.reshape(-1), b.reshape(-1))",
        "hint": "equal values do not mean shared memory"},
    "reshape_always_copies": {
        "todo": 6,
        "old": '"t.reshape(6, 4)": True,',
        "new": '"t.reshape(6, 4)": False,',
        "hint": "reshape returns a view whenever"},
    "advanced_indexing_is_a_view": {
        "todo": 6,
        "old": '"t[:, [0, 2]]": False,',
        "new": '"t[:, [0, 2]]": True,',
        "hint": "advanced indexing"},
    # ---- kinds of checks: mistakes a wrong program could pass by
    "flatten_with_minus_one": {
        "todo": 1, "kind": "generality",
        "old": "return emb.view(n, block_size * n_embd)\n",
        "new": "return emb.view(n, -1)\n",
        "hint": "-1 cannot be worked out"},
    "flatten_resizes_emb": {
        "todo": 1, "kind": "inputs",
        "old": "return emb.view(n, block_size * n_embd)\n",
        "new": "return emb.resize_(n, block_size * n_embd)\n",
        "hint": "changed its argument emb in place"},
    "tanh_written_with_exp": {
        "todo": 3, "kind": "range",
        "old": "return torch.tanh(emb_flat @ W1 + b1)",
        "new": "x = emb_flat @ W1 + b1\n    return (x.exp() - (-x).exp()) / (x.exp() + (-x).exp())",
        "hint": "a tanh written with exp"},
    "hidden_rebuilt_from_a_list": {
        "todo": 3, "kind": "gradients",
        "old": "return torch.tanh(emb_flat @ W1 + b1)",
        "new": "return torch.tensor(torch.tanh(emb_flat @ W1 + b1).tolist(), device=emb.device)",
        "hint": "the gradient must reach emb, W1 and b1"},
    "strides_of_size_zero": {
        "todo": 4, "kind": "generality",
        "old": "step *= max(size, 1)",
        "new": "step *= size",
        "hint": "counts a dimension of size 0 as size 1"},
    "strides_of_three_dimensions": {
        "todo": 4, "kind": "generality",
        "old": "    return tuple(reversed(strides))",
        "new": "    return (shape[1] * shape[2], shape[2], 1)",  # the loop's result unused
        "hint": "walk over every dimension of shape"},
}
