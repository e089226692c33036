"""The wire format: plain data round-trips exactly; anything else is refused."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
import torch

from autograder import codec


def test_plain_values_round_trip_exactly():
    value = {"stoi": {"a": 1, ".": 0}, "itos": {0: ".", 1: "a"}, (1, "x"): [None, True, 2.5],
             "nan": float("nan"), "inf": -math.inf, "big": 2**80, "text": "héllo\n",
             "nested": ([1, [2, (3,)]],), "dtype": torch.float64, "device": torch.device("cpu")}
    back = codec.roundtrip(value)
    assert math.isnan(back.pop("nan")) and math.isnan(value.pop("nan"))
    assert back == value
    assert type(back[(1, "x")]) is list and type(back["nested"]) is tuple


@pytest.mark.parametrize("dtype", [torch.bool, torch.uint8, torch.int32, torch.int64,
                                   torch.float16, torch.bfloat16, torch.float32, torch.float64,
                                   torch.complex64])
def test_tensors_round_trip_with_dtype_and_shape(dtype):
    t = (torch.randn(3, 4, 2) * 10).to(dtype)
    back = codec.roundtrip({"t": t, "view": t.transpose(0, 2), "empty": t[:0], "scalar": t[0, 0, 0]})
    assert torch.equal(back["t"], t) and back["t"].dtype == dtype
    assert torch.equal(back["view"], t.transpose(0, 2))
    assert back["empty"].shape == (0, 4, 2) and back["scalar"].shape == ()


def test_requires_grad_survives_and_copies_are_independent():
    w = torch.randn(3, requires_grad=True)
    back = codec.roundtrip(w)
    assert back.requires_grad and back.is_leaf
    x = torch.zeros(3)
    y = codec.roundtrip(x)
    y += 1
    assert x.sum() == 0


def test_generator_state_travels():
    g = torch.Generator().manual_seed(2147483647)
    torch.randn(5, generator=g)
    copy = codec.roundtrip(g)
    assert torch.equal(torch.randn(4, generator=copy), torch.randn(4, generator=g))


def test_tensor_subclass_arrives_as_a_plain_tensor():
    class Liar(torch.Tensor):
        def __eq__(self, other):
            return True

    back = codec.roundtrip(torch.zeros(2).as_subclass(Liar))
    assert type(back) is torch.Tensor and torch.equal(back, torch.zeros(2))


@pytest.mark.parametrize("value,fragment", [
    (object(), "value is a object"),
    ([1, {"k": lambda x: x}], "value[1]['k'] is a function"),
    (np.zeros(3), "torch.as_tensor"),
    (torch.zeros(2, device="meta"), "created without device="),
])
def test_non_plain_values_are_refused_with_where(value, fragment):
    with pytest.raises(codec.CodecError, match=None) as info:
        codec.encode(value)
    assert fragment in str(info.value)


def test_malformed_bytes_only_ever_raise_codec_error():
    good = codec.encode({"x": torch.arange(6).reshape(2, 3), "s": "abc", "g": torch.Generator()})
    rng = random.Random(0)
    for _ in range(3000):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data))]
        try:
            codec.decode(bytes(data))
        except codec.CodecError:
            pass


@pytest.mark.parametrize("tree", [
    '["T","float32",[2],0,false]',  # blob missing
    '["x",1]',  # unknown tag
    '["T","object",[1],0,false]',  # dtype not allowed
    '["d",[[["l",[]],["i",1]]]]',  # unhashable key
])
def test_invalid_trees_are_rejected(tree):
    header = tree.encode()
    data = codec.MAGIC + len(header).to_bytes(4, "little") + header
    with pytest.raises(codec.CodecError):
        codec.decode(data)


def _raw(tree: str) -> bytes:
    header = tree.encode()
    return codec.MAGIC + len(header).to_bytes(4, "little") + header


def test_an_error_inside_a_dict_is_reported_as_itself():
    with pytest.raises(codec.CodecError, match="unknown tag") as info:
        codec.decode(_raw('["d",[[["s","k"],["x",1]]]]'))
    assert "unhashable" not in str(info.value)


def test_hostile_structures_cost_bounded_time_and_memory():
    # nesting deeper than the JSON parser's recursion limit: a CodecError, not RecursionError
    with pytest.raises(codec.CodecError, match="deep"):
        codec.decode(_raw("[" * 100_000 + "]" * 100_000))
    # more values than the node budget
    many = '["l",[' + ",".join(['["n"]'] * 5000) + "]]"
    with pytest.raises(codec.CodecError, match="too many values"):
        codec.decode(_raw(many), max_nodes=1000)
    # a structure larger than the header cap is refused before it is parsed
    data = codec.MAGIC + (codec.MAX_HEADER + 1).to_bytes(4, "little") + b"["
    with pytest.raises(codec.CodecError, match="return big data as tensors"):
        codec.decode(data)
    # the deadline stops a long decode
    with pytest.raises(codec.DecodeTimeout):
        codec.decode(_raw('["l",[' + ",".join(['["n"]'] * 20_000) + "]]"), deadline=0.0)


def test_wire_refuses_oversized_and_undecodable_messages():
    import socket
    import struct

    from autograder.sandbox import wire

    a, b = socket.socketpair()
    with a, b:
        a.sendall(struct.pack("<Q", 1 << 40))
        with pytest.raises(wire.WireError, match="larger than the limit"):
            wire.recv(b, max_bytes=1 << 20)
        body = _raw("[" * 100_000 + "]" * 100_000)
        a.sendall(struct.pack("<Q", len(body)) + body)
        with pytest.raises(wire.WireError):
            wire.recv(b)


def test_lists_of_strings_take_the_short_way_to_the_same_nodes_and_values():
    words = ["emma", "", "é\u2028x", "a" * 50]
    for value in (words, tuple(words), [words, ("x", 1)], []):
        data = codec.encode(value)
        assert codec.decode(data) == value
    # the same tree as one node per string
    header = codec.encode(["ab", "c"])[8:]
    assert header == b'["l",[["s","ab"],["s","c"]]]'
    # a str subclass is still sent as a plain str
    assert type(codec.decode(codec.encode([type("S", (str,), {})("x")]))[0]) is str
    # strings count against the node budget, deep lists of strings are still refused
    with pytest.raises(codec.CodecError, match="too many values"):
        codec.decode(codec.encode(["w"] * 2000), max_nodes=1000)
    with pytest.raises(codec.DecodeTimeout):
        codec.decode(codec.encode(["w"] * 10), deadline=0.0)
    for leaf in (["s", "x"], ["n"]):  # as deep as a None that is refused
        tree: list = ["l", [leaf]]
        for _ in range(codec.MAX_DEPTH + 1):
            tree = ["l", [tree]]
        with pytest.raises(codec.CodecError, match="too deep"):
            codec.decode(_raw(json.dumps(tree)))
        codec.decode(_raw(json.dumps(tree[1][0])))  # one level less is fine
    nested: list = ["x"]
    for _ in range(codec.MAX_DEPTH):
        nested = [nested]
    with pytest.raises(codec.CodecError, match="levels deep"):
        codec.encode(nested)
