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

Before the student's module is imported, the worker binds the helper table it will
use, and removes the course's own modules (the grader's runtime, helpers, codec, ...)
from ``sys.modules`` and from the ``autograder`` package, and refuses to import them
again: the student's code can reach ``autograder.given`` modules of earlier lessons
and nothing else of the course, by import or by attribute.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import os
import signal
import socket
import sys
import traceback
import types
from typing import Any

from autograder import codec, helpers, student_side
from autograder.sandbox import isolation, wire


class _CourseBlocker(importlib.abc.MetaPathFinder):
    """Refuses to import any module of the course but the allowed ``given`` ones."""

    def __init__(self, allowed: frozenset[str]):
        self._allowed = allowed

    def find_spec(self, fullname, path=None, target=None):
        if (fullname == "autograder" or fullname.startswith("autograder.")) \
                and fullname not in self._allowed:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def seal_course(lesson: int) -> None:
    """Make the course unreachable from the student's code: forget every loaded module
    of ``autograder`` (the functions already bound keep working through their own
    globals) and refuse to import one again, except the given code of earlier lessons."""
    import autograder

    package = os.path.dirname(os.path.realpath(autograder.__file__))
    given = {"autograder.given." + rel[len("given/"):-3]
             for rel in isolation.given_before(package, lesson)}
    allowed = frozenset({"autograder", "autograder.given", *given})
    for name in list(sys.modules):
        if (name == "autograder" or name.startswith("autograder.")) and name not in allowed:
            del sys.modules[name]
    for name, value in list(vars(autograder).items()):
        if isinstance(value, types.ModuleType):
            delattr(autograder, name)
    sys.meta_path.insert(0, _CourseBlocker(allowed))


def error_info(exc: BaseException, path: str | None = None) -> dict[str, str]:
    """What the student's code raised, as text; with ``path``, the traceback keeps only the
    frames in the student's file (the harness's own frames are never shown)."""
    def safe(fn, fallback: str) -> str:
        try:
            return str(fn())[:4000]
        except BaseException:  # a student's exception may break even str()
            return fallback

    name = type(exc).__name__ if isinstance(type(exc).__name__, str) else "Exception"
    name = name[:100]
    tb = safe(lambda: student_side.student_frames(exc, path) if path else "".join(
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


def serve(rpc: socket.socket, path: str, module_name: str, notes: list[str],
          lesson: int = 0) -> None:
    import builtins

    import torch

    torch.set_num_threads(1)
    # bound before any student code runs, and reachable from it by no import or attribute
    table = types.MappingProxyType(dict(helpers.HELPERS))
    invoke, encode, recv, send_bytes = student_side.invoke, codec.encode, wire.recv, wire.send_bytes
    CodecError, WireError = codec.CodecError, wire.WireError
    NonPlain = student_side.ReturnedNonPlainData
    seal_course(lesson)
    filename = os.path.basename(path)
    original_builtins = dict(builtins.__dict__)

    def restore_builtins() -> None:  # a module that patches builtins only breaks itself
        builtins.__dict__.clear()
        builtins.__dict__.update(original_builtins)

    try:
        module = student_side.load_module(path, module_name)
        ready: dict[str, Any] = {"event": "ready", "ok": True, "notes": notes}
    except BaseException as exc:
        restore_builtins()
        error = error_info(exc, path)
        try:
            error["message"] = student_side.describe_import_error(exc, path)[:4000]
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
            request = recv(rpc)
        except WireError:
            os._exit(0)
        if not isinstance(request, dict) or request.get("op") not in ("call", "helper"):
            os._exit(0)
        rid = request.get("id")
        try:
            value = invoke(module, filename, request["op"], request["name"],
                           tuple(request["args"]), dict(request["kwargs"]), strict=True,
                           table=table)
            restore_builtins()
            try:
                payload = encode({"event": "result", "ok": True, "value": value,
                                  "id": rid})
            except CodecError as exc:
                raise NonPlain(
                    f"{request['name']}() returned something the checks cannot read: {exc}"
                ) from None
        except BaseException as exc:
            restore_builtins()
            payload = encode({"event": "result", "ok": False, "error": error_info(exc, path),
                              "id": rid})
        _flush()
        try:
            send_bytes(rpc, payload)
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
    lesson = int(request.get("lesson") or 0)
    package = os.path.dirname(os.path.realpath(sys.modules["autograder"].__file__))
    plan = isolation.Plan(root=request["root"], binds=request["binds"],
                          protected=request["protected"], disk=int(request["disk"]),
                          package=package,
                          package_files=isolation.student_package_files(package, lesson))
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

        def grader_gone(signum: int, frame: object) -> None:
            # the zygote (and so the grader) is gone: take the submission with us
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            os.killpg(0, signal.SIGKILL)

        signal.signal(signal.SIGTERM, grader_gone)
        with contextlib.suppress(OSError):
            isolation.die_with_parent(signal.SIGTERM)  # again: unshare may have cleared it
        cgroup = request.get("cgroup")
        if cgroup:  # the worker (and all it starts) shares one memory limit
            try:
                with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
                    f.write(str(pid))
            except OSError as exc:
                os.kill(pid, signal.SIGKILL)
                _send(rpc, {"event": "setup", "ok": False, "error": f"memory cgroup: {exc}"})
                os._exit(72)
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
            notes = isolation.build_root(plan, workdir, request["filename"], request.get("uid"))
            module_path = os.path.join(isolation.SANDBOX_WORKDIR, request["filename"])
        else:
            os.chdir(workdir)
            module_path = os.path.join(workdir, request["filename"])
        if os.getuid() == 0 or full:
            isolation.drop_privileges(request.get("uid"))
        else:
            isolation.no_new_privileges()
        # after the change of user, which clears it: the worker dies with its supervisor
        # (in full isolation it is the first process of its PID namespace, so all it
        # started die with it)
        isolation.die_with_parent(signal.SIGKILL)
        isolation.set_limits(limits)
        isolation.install_seccomp()
    except OSError as exc:
        _send(rpc, {"event": "setup", "ok": False, "error": f"sandbox set-up: {exc}"})
        os._exit(72)
    os.environ["HOME"] = os.getcwd()
    # the submission's own helper modules (copied beside it) are importable from it
    sys.path.insert(0, os.path.dirname(module_path))
    serve(rpc, module_path, request["module"], notes, lesson)
    os._exit(0)
