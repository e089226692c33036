"""The fork server ("zygote"): a warm Python that has imported torch, and forks children.

Started once per grading run by the grader, with a rebuilt environment (no PYTHON*
variable but a fixed hash seed, no user site, no script directory on sys.path). It
imports what every submission needs (torch, numpy, matplotlib and the student-side
runtime of this package) and then only forks on request, so each submission starts
in milliseconds instead of paying for ``import torch``. It never imports a check or a
solution, and stays single-threaded so fork() and unshare() are safe.

Protocol on the inherited SOCK_SEQPACKET socket (JSON, one message per packet):
  zygote -> grader  {"ready": true, "paths": [...], "uid": n, "python": "..."}
  grader -> zygote  {"op": "spawn", ...} with two file descriptors attached
                    (the RPC socket and the output pipe); reply {"pid": n}
  grader -> zygote  {"op": "exit"}
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys


def preload() -> None:
    import numpy  # noqa: F401
    import torch
    import torch.nn  # noqa: F401
    import torch.nn.functional  # noqa: F401

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure  # noqa: F401
    import matplotlib.pyplot  # noqa: F401

    from autograder import codec, helpers, impl, student_side  # noqa: F401
    from autograder.sandbox import child, isolation, wire  # noqa: F401

    helpers.bind()
    torch.set_num_threads(1)
    # CPU detection (cpuinfo) happens once, here, where /proc is the host's
    torch.backends.cpu.get_cpu_capability()
    (torch.ones(2, 2) @ torch.ones(2, 2)).sum().item()


def threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def main(control_fd: int) -> None:
    control = socket.socket(fileno=control_fd)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    preload()
    from autograder.sandbox import child, isolation

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically...
    isolation.become_subreaper()  # ...and so are orphans of killed children
    control.send(json.dumps({
        "ready": True, "paths": isolation.python_paths(), "uid": os.getuid(),
        "python": sys.version.split()[0], "threads": threads(),
        "platform": isolation.describe_platform(),
        "no_user_site": bool(sys.flags.no_user_site),
        "ignore_pythonpath": "PYTHONPATH" not in os.environ,
    }).encode())
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(control, 1 << 16, 4)
        except (ConnectionError, OSError):
            break
        if not msg:
            break
        request = json.loads(msg)
        if request.get("op") != "spawn":
            for fd in fds:
                os.close(fd)
            break
        if threads() != 1:
            control.send(json.dumps({"error": "the zygote has become multi-threaded"}).encode())
            continue
        zygote = os.getpid()
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                # dies with the zygote, which ends when the grader does (its socket closes)
                isolation.die_with_parent(signal.SIGTERM, zygote)
                child.main(request, fds)
            finally:
                os._exit(71)
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"pid": pid}).encode())


if __name__ == "__main__":
    main(int(sys.argv[1]))
