"""Framed messages over a stream socket: 8-byte length, then a codec-encoded value.

A message longer than the receiver's ``max_bytes`` is refused before it is read, and a
message is decoded within the same deadline as it is received. Any failure is a
:class:`WireError`: the stream may be out of step, so the caller must drop the peer.
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Any

from autograder.errors import AutograderError
from autograder import codec


class WireError(AutograderError, ConnectionError):
    """The peer closed the connection, sent garbage, or was too slow."""


class WireTimeout(WireError):
    pass


# default cap on one message, bytes; a lesson whose results are bigger sets
# max_result_bytes in its contract (lesson 04 returns a (228146, 100) float tensor of
# names.txt, 87 MiB); GradeOptions.max_message overrides both. A project test holds every
# lesson's largest result to its cap.
MAX_MESSAGE = 8 << 20


def send_bytes(sock: socket.socket, payload: bytes) -> None:
    """Send an already encoded value."""
    sock.sendall(struct.pack("<Q", len(payload)) + payload)


def send(sock: socket.socket, value: Any) -> None:
    send_bytes(sock, codec.encode(value))


def _recv_exact(sock: socket.socket, n: int, deadline: float | None) -> bytearray:
    buf = bytearray(n)  # one buffer, filled in place: memory is the message's size
    view = memoryview(buf)
    got = 0
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WireTimeout("timed out")
            sock.settimeout(remaining)
        else:
            sock.settimeout(None)
        try:
            k = sock.recv_into(view[got:], min(n - got, 1 << 20))
        except socket.timeout:
            raise WireTimeout("timed out") from None
        except OSError as exc:
            raise WireError(f"connection lost ({exc})") from None
        if not k:
            raise WireError("connection closed")
        got += k
    return buf


def recv(sock: socket.socket, deadline: float | None = None,
         max_bytes: int = MAX_MESSAGE) -> Any:
    """The next value, decoded safely; WireTimeout once ``deadline`` (monotonic) passes.

    Raises WireError for a message over ``max_bytes`` and for anything that cannot be
    decoded (whatever the decoder raised): after that the stream cannot be trusted.
    """
    (size,) = struct.unpack("<Q", _recv_exact(sock, 8, deadline))
    if size > max_bytes:
        raise WireError(f"a message of {size} bytes is larger than the limit of {max_bytes} "
                        "bytes")
    data = _recv_exact(sock, size, deadline)
    try:
        return codec.decode(data, deadline)
    except codec.DecodeTimeout:
        raise WireTimeout("timed out decoding the message") from None
    except Exception as exc:  # RecursionError, MemoryError, ...: never left in step
        raise WireError(f"invalid message: {type(exc).__name__}: {str(exc)[:300]}") from None
