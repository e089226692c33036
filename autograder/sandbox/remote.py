"""The grader's side of the sandbox: the zygote, and one submission's child process.

:class:`Zygote` starts the fork server; :class:`RemoteImpl` is an
:class:`~autograder.impl.Implementation` whose calls run in a sandboxed child forked
from it. Everything the child sends back is decoded by :mod:`autograder.codec` (plain
data only) and every wait has a deadline, so the child can neither run code in the
grader nor make it hang.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from autograder.errors import AutograderError
from autograder.impl import SubmissionCrash, SubmissionError, SubmissionImportError
from autograder.sandbox import isolation, launch, wire
from autograder.sandbox.launch import clean_environment, python_command  # noqa: F401

PACKET = 1 << 16


class SandboxUnavailable(AutograderError, RuntimeError):
    """Full isolation was required but this system cannot provide it."""


class Zygote:
    """A warm fork server; thread-safe (spawn requests are serialised)."""

    def __init__(self, cache_dir: Path, startup_timeout: float = 120.0):
        self._lock = threading.Lock()
        process = launch.take_early(cache_dir) or launch.ZygoteProcess(cache_dir)
        self._scratch, self._sock, self._proc = process.scratch, process.sock, process.proc
        ours = self._sock
        ours.settimeout(startup_timeout)
        try:
            hello = ours.recv(PACKET)
        except OSError:
            hello = b""
        if not hello:
            err = self._proc.stderr.read().decode(errors="replace") if self._proc.poll() else ""
            self.close()
            raise RuntimeError(f"the grading sandbox's Python did not start: {err[-2000:]}")
        self.info: dict[str, Any] = json.loads(hello)
        ours.settimeout(None)

    def spawn(self, request: dict, fds: list[int]) -> int:
        with self._lock:
            socket.send_fds(self._sock, [json.dumps(request).encode()], fds)
            reply = json.loads(self._sock.recv(PACKET) or b'{"error": "zygote gone"}')
        if "pid" not in reply:
            raise RuntimeError(f"the zygote could not fork: {reply.get('error')}")
        return int(reply["pid"])

    def close(self) -> None:
        try:
            self._sock.close()
        finally:
            if self._proc.poll() is None:
                # the fork server keeps nothing worth a clean exit, and tearing down its
                # torch takes most of a second: a finished run should not wait for that
                self._proc.kill()
                self._proc.wait()
            if self._proc.stderr:
                self._proc.stderr.close()
            try:
                os.rmdir(self._scratch)
            except OSError:
                pass


@dataclass(frozen=True)
class SandboxConfig:
    """How a submission's process is confined."""

    isolation: str  # "full" or "basic"
    root: str  # empty directory on which the sandbox root is mounted
    binds: tuple[str, ...]
    protected: tuple[str, ...]
    limits: isolation.Limits
    output_limit: int = 64 << 10  # bytes of stdout+stderr kept
    max_message: int = wire.MAX_MESSAGE  # bytes of one reply (results of big tensors need more)
    disk: int = 64 << 20  # bytes of each writable tmpfs (/submission, /tmp)
    cgroup: str | None = None  # parent memory cgroup folder for per-submission cgroups
    cgroup_version: int = 0  # 1 or 2 when ``cgroup`` is set


STRING_LIMIT = 4000  # characters kept of an exception message or traceback
NAME_LIMIT = 100  # characters kept of an exception type name


def clip(text: object, limit: int = STRING_LIMIT) -> str:
    """``str(text)``, cut to ``limit`` characters with a note of how much was cut."""
    text = str(text)
    if len(text) <= limit:
        return text
    return text[:limit] + f" [... {len(text) - limit} more characters]"


class _OutputReader(threading.Thread):
    """Drains the child's stdout/stderr, keeping the first ``limit`` bytes."""

    def __init__(self, fd: int, limit: int):
        super().__init__(daemon=True)
        self.fd, self.limit = fd, limit
        self.kept = bytearray()
        self.dropped = 0

    def run(self) -> None:
        try:
            while True:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    break
                room = self.limit - len(self.kept)
                if room > 0:
                    self.kept += chunk[:room]
                self.dropped += max(0, len(chunk) - max(room, 0))
        except OSError:
            pass
        finally:
            os.close(self.fd)

    def text(self) -> str:
        out = self.kept.decode("utf-8", errors="replace")
        if self.dropped:
            out += f"\n[... {self.dropped} more bytes of output were discarded]"
        return out


class RemoteImpl:
    """One submission, running in a sandboxed child; restarted after a crash or timeout."""

    def __init__(self, zygote: Zygote, config: SandboxConfig, workdir: Path, module: str,
                 filename: str, uid: int | None = None, lesson: int = 0,
                 cgroup: str | None = None):
        self.zygote, self.config = zygote, config
        self.lesson = lesson  # given modules of lessons before this one are importable
        self.max_message = config.max_message  # bytes of one reply
        self.cgroup = cgroup  # this submission's memory cgroup folder, if any
        self.workdir, self.module, self.filename, self.uid = workdir, module, filename, uid
        self.description = filename
        self.device = "cpu"
        self.budget: float | None = None  # seconds the student's code may still use in this check
        self.end: float | None = None  # monotonic time when the whole submission must stop
        self.outputs: list[_OutputReader] = []
        self.notes: list[str] = []
        self.import_error: SubmissionError | None = None
        self.starts = 0
        self._sock: socket.socket | None = None
        self._pids: tuple[int, int] | None = None  # (supervisor, worker)

    # -------------------------------------------------------------- lifecycle
    def start(self) -> None:
        """Fork a fresh child and wait until the module is imported (or failed to)."""
        self.stop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        request = {
            "op": "spawn", "isolation": self.config.isolation, "root": self.config.root,
            "binds": list(self.config.binds), "protected": list(self.config.protected),
            "limits": asdict(self.config.limits), "workdir": str(self.workdir),
            "filename": self.filename, "module": self.module, "uid": self.uid,
            "lesson": self.lesson, "disk": self.config.disk, "cgroup": self.cgroup,
            "cgroup_version": self.config.cgroup_version,
        }
        try:
            supervisor = self.zygote.spawn(request, [theirs.fileno(), out_w])
        finally:
            theirs.close()
            os.close(out_w)
        reader = _OutputReader(out_r, self.config.output_limit)
        reader.start()
        self.outputs.append(reader)
        self._sock = ours
        self._pids = (supervisor, 0)
        self.starts += 1
        first = self._receive("starting the submission")
        if first.get("event") == "setup":
            self.stop()
            raise SubmissionCrash("SandboxError", clip(first.get("error")))
        if first.get("event") != "pid" or type(first.get("pid")) is not int:
            self.stop()
            raise SubmissionCrash("ProtocolError", "the submission's process misbehaved")
        self._pids = (supervisor, first["pid"])
        ready = self._receive("importing the module")
        if ready.get("event") == "setup":
            self.stop()
            raise SubmissionCrash("SandboxError", clip(ready.get("error")))
        notes = ready.get("notes", [])
        self.notes = [clip(n, 400) for n in notes[:20]] if isinstance(notes, list) else []
        if ready.get("event") != "ready":
            self.stop()
            raise SubmissionCrash("ProtocolError", "the submission's process misbehaved")
        if not ready.get("ok"):
            error = ready.get("error")
            error = error if isinstance(error, dict) else {}
            self.import_error = SubmissionImportError(
                clip(error.get("type", "Exception"), NAME_LIMIT),
                f"{self.filename} could not be imported: {clip(error.get('message', ''))}",
                clip(error.get("traceback", "")), file=self.filename)
            self.stop()
            raise self.import_error

    def stop(self) -> None:
        """Kill the child and everything it started."""
        if self._pids is not None:
            supervisor, worker = self._pids
            for pid in (worker,):
                if pid:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            try:
                os.killpg(supervisor, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._pids = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def close(self) -> None:
        self.stop()
        for reader in self.outputs:
            reader.join(timeout=2)

    def output(self) -> str:
        return "".join(r.text() for r in self.outputs)

    # -------------------------------------------------------------- calls
    def begin_check(self, seconds: float, end: float | None) -> None:
        """Allow the student's code ``seconds`` of waiting in the next check (not counting
        the grader's own work), and never past ``end``."""
        self.budget, self.end = seconds, end

    def _receive(self, doing: str) -> dict:
        assert self._sock is not None
        start = time.monotonic()
        deadlines = [t for t in (None if self.budget is None else start + self.budget,
                                 self.end) if t is not None]
        try:
            message = wire.recv(self._sock, min(deadlines) if deadlines else None,
                                self.max_message)
        except wire.WireTimeout:
            self.stop()
            raise SubmissionCrash("Timeout", f"the time limit was reached while {doing}") from None
        except wire.WireError as exc:
            self.stop()
            if self._sock is None and "larger than the limit" in str(exc):
                raise SubmissionCrash("Crash", f"the reply while {doing} was refused: {exc} (the "
                                               "max_result_bytes of the lesson's contract)") from None
            raise SubmissionCrash("Crash", f"the submission's process ended while {doing} "
                                           f"({clip(exc, 400)}{self._memory_hint()})") from None
        except BaseException:  # whatever went wrong, the stream is out of step now
            self.stop()
            raise
        finally:
            if self.budget is not None:
                self.budget = max(0.0, self.budget - (time.monotonic() - start))
        if not isinstance(message, dict):
            self.stop()
            raise SubmissionCrash("ProtocolError", "the submission's process sent garbage")
        if message.get("event") == "exit":
            self.stop()
            raise SubmissionCrash("Crash", f"the submission's process ended while {doing} "
                                           f"({message.get('status')}{self._limit_hint(message)})")
        return message

    def _limit_hint(self, message: dict) -> str:
        status = str(message.get("status", ""))
        if "SIGXCPU" in status:
            return ": CPU time limit"
        if "SIGXFSZ" in status:
            return ": file size limit"
        return self._memory_hint()

    def _memory_hint(self) -> str:
        """': memory limit' when the submission's memory cgroup ran out of memory."""
        if not self.cgroup:
            return ""
        name = "memory.events" if self.config.cgroup_version == 2 else "memory.oom_control"
        try:
            text = Path(self.cgroup, name).read_text()
        except OSError:
            return ""
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip() not in ("", "0"):
                return (f": the memory limit of {self.config.limits.memory >> 20} MiB for the "
                        "whole submission")
        return ""

    def _run(self, op: str, name: str, args: tuple, kwargs: dict) -> Any:
        if self.import_error is not None:
            raise self.import_error
        if self._sock is None:
            try:
                self.start()
            except SubmissionCrash as crash:  # it would crash the same way every time
                self.import_error = crash
                raise
        nonce = secrets.randbits(62)  # a reply must name its request: no stale or forged one
        try:
            wire.send(self._sock, {"op": op, "name": name, "args": tuple(args),
                                   "kwargs": dict(kwargs), "id": nonce})
        except OSError:
            self.stop()
            raise SubmissionCrash("Crash", f"the submission's process was gone before {name}()")
        reply = self._receive(f"running {name}()")
        if reply.get("event") != "result" or reply.get("id") != nonce:
            self.stop()
            raise SubmissionCrash("ProtocolError", "the submission's process misbehaved")
        if reply.get("ok"):
            return reply.get("value")
        error = reply.get("error")
        error = error if isinstance(error, dict) else {}
        message = clip(error.get("message", ""))
        if "allocate" in message and "memory" in message:
            message += f" (the memory limit is {self.config.limits.memory >> 20} MiB)"
        raise SubmissionError(clip(error.get("type", "Exception"), NAME_LIMIT), message,
                              clip(error.get("traceback", "")))

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        return self._run("call", name, args, kwargs)

    def helper(self, name: str, args: tuple, kwargs: dict) -> Any:
        return self._run("helper", name, args, kwargs)
