"""Starting the zygote's Python early, before the grader itself imports torch.

Only the standard library is used here, so ``autograder grade`` can start the sandbox's
Python as its very first step and both processes import torch at the same time: the
first result comes about one torch import sooner.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """Where the zygote keeps matplotlib's cache."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "makemore-autograded"


def clean_environment(cache: Path) -> dict[str, str]:
    """The zygote's whole environment: nothing inherited from the grader's."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "PYTHONHASHSEED": "0",  # the same submission always gets the same grade
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(cache / "matplotlib"),
    }


def python_command() -> list[str]:
    """``python -I`` without ``-E``: no user site (-s), no script directory (-P), and an
    environment we build from scratch, so the fixed PYTHONHASHSEED still applies."""
    flags = ["-s", "-P"] if sys.version_info >= (3, 11) else ["-s"]
    return [sys.executable, *flags, "-m", "autograder.sandbox.zygote"]


class ZygoteProcess:
    """The zygote's process and our end of its control socket, just started."""

    def __init__(self, cache: Path):
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "matplotlib").mkdir(exist_ok=True)
        self.cache = cache
        self.scratch = tempfile.mkdtemp(prefix="autograder-zygote-")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock = ours
        try:
            self.proc = subprocess.Popen(
                [*python_command(), str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                env=clean_environment(cache), cwd=self.scratch, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        finally:
            theirs.close()


_early: ZygoteProcess | None = None


def start_early() -> None:
    """Start the zygote's process now; the next :class:`Zygote` for the same cache takes it."""
    global _early
    if _early is None:
        try:
            _early = ZygoteProcess(cache_dir())
        except OSError:  # the sandbox will try again, and report what goes wrong
            _early = None


def take_early(cache: Path) -> ZygoteProcess | None:
    """The process :func:`start_early` started for ``cache``, once; else None."""
    global _early
    process, _early = _early, None
    if process is not None and process.cache != cache:
        process.proc.kill()
        process.proc.wait()
        process.sock.close()
        return None
    return process
