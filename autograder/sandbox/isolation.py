"""Operating-system isolation for one submission's process (Linux namespaces, rlimits).

Two levels:

* ``full`` (Linux, as root or with unprivileged user namespaces): new mount, PID,
  network, IPC and UTS namespaces. The process sees a fresh root file system holding
  only what Python needs, read-only (the system's /usr, /lib, /etc, the Python
  installation, site-packages, the ``autograder`` package), its own writable
  ``/submission`` and a small ``/tmp``. Nothing else of the host is reachable: not the
  course's ``solutions/``, ``lessons/`` or ``tests/``, not the other submissions, not
  the grader's output files. The network namespace has no interface but a down
  loopback. As root the process then switches to an unprivileged uid of its own; in a
  user namespace it drops every capability.
* ``basic`` (elsewhere): resource limits only, plus the unprivileged uid when root.

Both set rlimits: address space (memory), CPU seconds, process count, file size,
open files, no core dumps. The grader adds the wall-clock limits and output caps.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import resource
import sys
from dataclasses import dataclass, field
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36

# statvfs flags -> mount flags, kept on read-only remounts (user namespaces forbid
# clearing them: they are "locked")
_ST_TO_MS = ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
             (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME),
             (os.ST_RELATIME, MS_RELATIME)) if hasattr(os, "ST_NOSUID") else ()

_PIVOT_ROOT = {"x86_64": 155, "amd64": 155, "aarch64": 41, "arm64": 41, "riscv64": 41,
               "ppc64le": 203, "ppc64": 203, "s390x": 217, "i686": 217, "armv7l": 218}

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom")
SANDBOX_WORKDIR = "/submission"


class IsolationError(OSError):
    """A step of the sandbox set-up failed."""


_libc = None


def _lib():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    return _libc


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise IsolationError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    def enc(s: str | None) -> bytes | None:
        return s.encode() if s is not None else None

    _check(_lib().mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {source or ''} on {target}")


@dataclass
class Plan:
    """What a sandboxed process may see, decided once by the zygote and the grader."""

    root: str  # an empty host directory to mount the new root on
    binds: list[str] = field(default_factory=list)  # host paths shown read-only, same path
    protected: list[str] = field(default_factory=list)  # host paths that must stay hidden
    tmp_size: str = "64m"


def _is_within(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def python_paths() -> list[str]:
    """The directories this interpreter reads modules from."""
    import autograder

    found = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(autograder.__file__).resolve().parent)}
    found.update(p for p in sys.path if p and os.path.isabs(p))
    return sorted({os.path.realpath(p) for p in found if os.path.exists(p)})


def plan_binds(candidates: list[str], protected: list[str]) -> list[str]:
    """Which candidate paths to show: none that is (or contains) a protected path."""
    chosen: list[str] = []
    for path in sorted(set(candidates), key=len):
        if not os.path.exists(path) or os.path.islink(path):
            continue  # symbolic links such as /bin -> usr/bin are recreated, not bound
        if any(_is_within(p, path) for p in protected):
            continue  # showing it would show a protected path
        if any(_is_within(path, c) for c in chosen):
            continue  # already visible through a parent
        chosen.append(path)
    return chosen


# ------------------------------------------------------------------ namespaces

def unshare(user_namespace: bool) -> None:
    """Enter new namespaces; the next fork() becomes PID 1 of the new PID namespace."""
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID
    if user_namespace:
        flags |= CLONE_NEWUSER
    _check(_lib().unshare(flags), "unshare")
    if user_namespace:
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")


def _mount_flags(path: str) -> int:
    flags = 0
    try:
        st = os.statvfs(path)
    except OSError:
        return flags
    for st_flag, ms_flag in _ST_TO_MS:
        if st.f_flag & st_flag:
            flags |= ms_flag
    return flags


def _bind(source: str, target: str, writable: bool = False) -> None:
    _mount(source, target, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | _mount_flags(source)
    if not writable:
        flags |= MS_RDONLY
    _mount(None, target, None, flags)


def _make_mountpoint(path: str, like: str) -> None:
    if os.path.isdir(like):
        os.makedirs(path, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not os.path.exists(path):
            open(path, "w").close()


def build_root(plan: Plan, workdir: str) -> list[str]:
    """Mount the sandbox's file system and move into it (run as PID 1 of the new PID ns).

    Returns notes on optional parts that could not be set up (e.g. /proc).
    """
    notes: list[str] = []
    root = plan.root
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755")
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            os.symlink(os.readlink(path), root + path)
    # a fresh /tmp first: Python or the course may live under the host's /tmp, and their
    # bind mounts then go inside it rather than being hidden by it
    os.makedirs(root + "/tmp")
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={plan.tmp_size},mode=1777")
    for source in plan.binds:
        target = root + source
        if os.path.islink(target) or _is_within(source, "/proc") or _is_within(source, "/dev"):
            continue
        _make_mountpoint(target, source)
        _bind(source, target)
    # hide protected paths that sit inside a shown tree
    for path in plan.protected:
        target = root + path
        if not os.path.exists(target) or not any(_is_within(path, b) for b in plan.binds):
            continue
        if os.path.isdir(target):
            _mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
        else:
            _bind("/dev/null", target)
    # the submission, /dev
    _make_mountpoint(root + SANDBOX_WORKDIR, workdir)
    _bind(workdir, root + SANDBOX_WORKDIR, writable=True)
    os.makedirs(root + "/dev")
    for name in DEVICES:
        if os.path.exists(f"/dev/{name}"):
            _make_mountpoint(f"{root}/dev/{name}", f"/dev/{name}")
            _mount(f"/dev/{name}", f"{root}/dev/{name}", None, MS_BIND)
    os.makedirs(root + "/dev/shm")
    _mount("tmpfs", root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777")
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    os.makedirs(root + "/proc")
    # switch roots: the old root is detached, so no path leads back to the host
    os.chdir(root)
    nr = _PIVOT_ROOT.get(platform.machine())
    if nr is None:
        raise IsolationError(0, f"pivot_root: unknown system call number on {platform.machine()}")
    _check(_lib().syscall(nr, b".", b"."), "pivot_root")
    _check(_lib().umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")
    try:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except IsolationError as exc:
        notes.append(f"no /proc in the sandbox ({exc.strerror})")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    try:
        _check(_lib().sethostname(b"sandbox", 7), "sethostname")
    except IsolationError:
        pass
    os.chdir(SANDBOX_WORKDIR)
    return notes


# ------------------------------------------------------------------ privileges, limits

class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_privileges(uid: int | None) -> None:
    """Become ``uid`` (as root), or drop every capability (in a user namespace)."""
    if os.getuid() == 0 and uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:
        header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
        data = (_CapData * 2)()
        _check(_lib().capset(ctypes.byref(header), data), "capset")
    _check(_lib().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")


@dataclass(frozen=True)
class Limits:
    memory: int = 4 << 30  # address space, bytes
    cpu: int = 600  # CPU seconds of the whole process
    nproc: int = 64  # processes and threads
    fsize: int = 64 << 20  # largest file it may write, bytes
    nofile: int = 256


def set_limits(limits: Limits) -> None:
    def lower(which: int, value: int) -> None:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))

    lower(resource.RLIMIT_CORE, 0)
    lower(resource.RLIMIT_AS, limits.memory)
    lower(resource.RLIMIT_FSIZE, limits.fsize)
    lower(resource.RLIMIT_NOFILE, limits.nofile)
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    cpu = limits.cpu if hard == resource.RLIM_INFINITY else min(limits.cpu, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1 if hard == resource.RLIM_INFINITY
                                             else hard))
    if hasattr(resource, "RLIMIT_NPROC"):
        lower(resource.RLIMIT_NPROC, limits.nproc)


def become_subreaper() -> None:
    """Adopt the orphans of our children (Linux), so none is left as a zombie."""
    if sys.platform.startswith("linux"):
        _lib().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def describe_platform() -> str:
    return f"{platform.system()} {platform.release()} ({platform.machine()}), uid {os.getuid()}"
