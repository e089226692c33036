"""The submission's side: enter the sandbox, import the student's module, answer calls.

Runs in a process forked by the zygote. It splits in two: a small supervisor (outside
the new PID namespace) that reports the worker's pid and, when the worker ends, how
it ended; and the worker (PID 1 of the new namespace, so when it dies every process
the student started dies with it), which builds the sandbox, drops privileges, sets
the limits, imports the module and then serves requests on the RPC socket:

  worker -> grader  {"event": "ready", "ok": bool, "notes": [...], "error": {...}}
  grader -> worker  {"op": "call" | "helper", "name": str, "args": tuple, "kwargs": dict}
  worker -> grader  {"event": "result", "ok": true, "value": ...}
                    {"event": "result", "ok": false, "error": {"type", "message", "traceback"}}
  supervisor -> grader  {"event": "pid", "pid": n}, later {"event": "exit", "status": str}
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import traceback
from typing import Any

from autograder import codec, runtime
from autograder.sandbox import isolation, wire


def error_info(exc: BaseException, path: str | None = None) -> dict[str, str]:
    """What the student's code raised, as text; with ``path``, the traceback keeps only the
    frames in the student's file (the harness's own frames are never shown)."""
    def safe(fn, fallback: str) -> str:
        try:
            return str(fn())[:4000]
        except BaseException:  # a student's exception may break even str()
            return fallback

    name = type(exc).__name__ if isinstance(type(exc).__name__, str) else "Exception"
    tb = safe(lambda: runtime.student_frames(exc, path) if path else "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-8)), "")
    return {"type": name, "message": safe(lambda: exc, "<unprintable>"), "traceback": tb}


def describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return f"killed by {name}"
    return f"exited with status {os.WEXITSTATUS(status)}"


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def _send(rpc: socket.socket, value: Any) -> None:
    try:
        wire.send(rpc, value)
    except OSError:
        os._exit(0)


def serve(rpc: socket.socket, path: str, module_name: str, notes: list[str]) -> None:
    import builtins

    import torch

    torch.set_num_threads(1)
    filename = os.path.basename(path)
    original_builtins = dict(builtins.__dict__)

    def restore_builtins() -> None:  # a module that patches builtins only breaks itself
        builtins.__dict__.clear()
        builtins.__dict__.update(original_builtins)

    try:
        module = runtime.load_module(path, module_name)
        ready: dict[str, Any] = {"event": "ready", "ok": True, "notes": notes}
    except BaseException as exc:
        restore_builtins()
        error = error_info(exc, path)
        try:
            error["message"] = runtime.describe_import_error(exc, path)[:4000]
        except BaseException:  # a student's exception may break even str()
            pass
        ready = {"event": "ready", "ok": False, "notes": notes, "error": error}
    restore_builtins()
    _flush()
    _send(rpc, ready)
    if not ready["ok"]:
        os._exit(0)
    while True:
        try:
            request = wire.recv(rpc)
        except wire.WireError:
            os._exit(0)
        if not isinstance(request, dict) or request.get("op") not in ("call", "helper"):
            os._exit(0)
        try:
            value = runtime.invoke(module, filename, request["op"], request["name"],
                                tuple(request["args"]), dict(request["kwargs"]), strict=True)
            restore_builtins()
            try:
                payload = codec.encode({"event": "result", "ok": True, "value": value})
            except codec.CodecError as exc:
                raise runtime.ReturnedNonPlainData(
                    f"{request['name']}() returned something the checks cannot read: {exc}"
                ) from None
        except BaseException as exc:
            restore_builtins()
            payload = codec.encode({"event": "result", "ok": False,
                                    "error": error_info(exc, path)})
        _flush()
        try:
            wire.send_bytes(rpc, payload)
        except OSError:
            os._exit(0)


def main(request: dict, fds: list[int]) -> None:
    """Entry point in the forked child; never returns."""
    rpc_fd, out_fd = fds
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    for fd in (null, out_fd):
        if fd > 2 and fd != rpc_fd:
            os.close(fd)
    os.closerange(3, rpc_fd)
    os.closerange(rpc_fd + 1, 1 << 16)
    rpc = socket.socket(fileno=rpc_fd)

    full = request["isolation"] == "full"
    plan = isolation.Plan(root=request["root"], binds=request["binds"],
                          protected=request["protected"])
    limits = isolation.Limits(**request["limits"])
    workdir = request["workdir"]
    try:
        if full:
            isolation.unshare(user_namespace=os.getuid() != 0)
    except OSError as exc:
        _send(rpc, {"event": "setup", "ok": False, "error": f"namespaces: {exc}"})
        os._exit(72)

    release_r, release_w = os.pipe()
    pid = os.fork()
    if pid:  # the supervisor
        os.close(release_r)
        _send(rpc, {"event": "pid", "pid": pid})
        os.close(release_w)
        _, status = os.waitpid(pid, 0)
        try:
            wire.send(rpc, {"event": "exit", "status": describe_status(status)})
        except OSError:
            pass
        os._exit(0)

    # the worker
    os.close(release_w)
    os.read(release_r, 1)
    os.close(release_r)
    notes: list[str] = []
    try:
        if full:
            notes = isolation.build_root(plan, workdir)
            module_path = os.path.join(isolation.SANDBOX_WORKDIR, request["filename"])
        else:
            os.chdir(workdir)
            module_path = os.path.join(workdir, request["filename"])
        if os.getuid() == 0 or full:
            isolation.drop_privileges(request.get("uid"))
        isolation.set_limits(limits)
    except OSError as exc:
        _send(rpc, {"event": "setup", "ok": False, "error": f"sandbox set-up: {exc}"})
        os._exit(72)
    os.environ["HOME"] = os.getcwd()
    serve(rpc, module_path, request["module"], notes)
    os._exit(0)
