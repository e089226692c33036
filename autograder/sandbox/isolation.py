"""Operating-system isolation for one submission's process (Linux namespaces, rlimits).

Two levels:

* ``full`` (Linux, as root or with unprivileged user namespaces): new mount, PID,
  network, IPC and UTS namespaces. The process sees a fresh root file system holding
  only what Python needs, read-only (the system's /usr, /lib, /etc, the Python
  installation, site-packages), its own writable ``/submission`` and ``/tmp`` (each a
  size-limited tmpfs: a full one costs this submission only), and of the ``autograder``
  package only the package marker and the given code of earlier lessons. Nothing else
  of the host is reachable: not the course's ``solutions/``, ``lessons/`` or ``tests/``,
  not the grader, the checks or the helpers' source, not the other submissions, not
  the grader's output files. The network namespace has no interface but a down
  loopback. As root the process then switches to an unprivileged uid of its own; in a
  user namespace it drops every capability. A seccomp filter refuses the kernel
  keyring (per-uid state that would outlive the submission) and new user namespaces.
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
import signal
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import AutograderError
from autograder.lessons import given_providers

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
PR_SET_PDEATHSIG = 1

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


class IsolationError(AutograderError, OSError):
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
    disk: int = 64 << 20  # bytes of each writable tmpfs (/submission, /tmp)
    package: str = ""  # the autograder package folder (host path); shown pruned
    package_files: list[str] = field(default_factory=list)  # its files to show, relative


def given_before(package: str, lesson: int) -> list[str]:
    """The given modules (relative to the package) of lessons numbered below ``lesson``,
    as ``autograder build`` recorded them (:func:`autograder.lessons.given_providers`);
    a module it did not record is never shown."""
    folder = os.path.join(package, "given")
    return [f"given/{name}.py" for name, (number, _) in sorted(given_providers(package).items())
            if int(number) < lesson and os.path.isfile(os.path.join(folder, f"{name}.py"))]


def student_package_files(package: str, lesson: int) -> list[str]:
    """What the student's code may see of the autograder package when grading ``lesson``:
    the package markers and the given code of earlier lessons, nothing else."""
    return ["__init__.py", "given/__init__.py", *given_before(package, lesson)]


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


def _show_package(plan: Plan, root: str) -> None:
    """Replace the package's folder by a read-only tmpfs holding only ``package_files``."""
    target = root + plan.package
    if not plan.package or not os.path.isdir(target):
        return
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
    for rel in plan.package_files:
        source = os.path.join(plan.package, rel)
        if not os.path.isfile(source) or os.path.islink(source):
            continue
        _make_mountpoint(os.path.join(target, rel), source)
        _bind(source, os.path.join(target, rel))
    _mount(None, target, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _writable_tmpfs(target: str, size: int, mode: str, uid: int | None) -> None:
    owner = f",uid={uid},gid={uid}" if uid is not None else ""
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode={mode}{owner}")


def build_root(plan: Plan, workdir: str, filename: str, uid: int | None = None) -> list[str]:
    """Mount the sandbox's file system and move into it (run as PID 1 of the new PID ns).

    ``workdir/filename`` (the module) is copied into the sandbox's ``/submission``, a
    tmpfs of ``plan.disk`` bytes owned by ``uid``. Returns notes on optional parts that
    could not be set up (e.g. /proc).
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
    _writable_tmpfs(root + "/tmp", plan.disk, "1777", None)
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
    _show_package(plan, root)
    # the submission: a copy of the module on a tmpfs of its own
    os.makedirs(root + SANDBOX_WORKDIR, exist_ok=True)
    _writable_tmpfs(root + SANDBOX_WORKDIR, plan.disk, "0700", uid)
    # the module and the submission's helper modules (plain files the grader wrote there)
    names = [filename] + sorted(n for n in os.listdir(workdir) if n != filename)
    for name in names:
        source = os.path.join(workdir, name)
        if name != filename and (os.path.islink(source) or not os.path.isfile(source)):
            continue
        with open(source, "rb") as f:
            data = f.read()
        copy = os.path.join(root + SANDBOX_WORKDIR, name)
        with open(copy, "wb") as f:
            f.write(data)
        if uid is not None:
            os.chown(copy, uid, uid)
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
    # /proc of the new PID namespace, mounted while the host's /proc is still in view:
    # in a user namespace the kernel allows a new proc mount only next to a visible one
    os.makedirs(root + "/proc")
    try:
        _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except IsolationError as exc:
        notes.append(f"no /proc in the sandbox ({exc.strerror})")
    # switch roots: the old root is detached, so no path leads back to the host
    os.chdir(root)
    nr = _PIVOT_ROOT.get(platform.machine())
    if nr is None:
        raise IsolationError(0, f"pivot_root: unknown system call number on {platform.machine()}")
    _check(_lib().syscall(nr, b".", b"."), "pivot_root")
    _check(_lib().umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")
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
    no_new_privileges()


def no_new_privileges() -> None:
    """No set-uid gains from here on (also what lets an unprivileged process use seccomp)."""
    if sys.platform.startswith("linux"):
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


# ------------------------------------------------------------------ seccomp

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
AUDIT_ARCH = {"x86_64": 0xC000003E, "amd64": 0xC000003E, "aarch64": 0xC00000B7,
              "arm64": 0xC00000B7}
# system call numbers: (add_key, request_key, keyctl, unshare, clone, setns, clone3)
_SYSCALLS = {0xC000003E: (248, 249, 250, 272, 56, 308, 435),
             0xC00000B7: (217, 218, 219, 97, 220, 268, 435)}
_BPF_LD_W_ABS, _BPF_JEQ_K, _BPF_JSET_K, _BPF_RET_K = 0x20, 0x15, 0x45, 0x06
_BPF_JGE_K = 0x35


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def seccomp_program(arch: int) -> bytes:
    """A classic BPF seccomp program: EPERM for the kernel keyring (add_key, request_key,
    keyctl), for new user namespaces (unshare/clone with CLONE_NEWUSER) and setns;
    ENOSYS for clone3 (whose flags a filter cannot read; libc falls back to clone);
    EPERM for every call of another architecture or ABI (x32)."""
    add_key, request_key, keyctl, unshare_nr, clone_nr, setns, clone3 = _SYSCALLS[arch]
    eperm = SECCOMP_RET_ERRNO | 1
    enosys = SECCOMP_RET_ERRNO | 38
    prog: list[tuple[int, int, int, int]] = []

    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> None:
        prog.append((code, jt, jf, k))

    op(_BPF_LD_W_ABS, 4)                      # 0: arch
    op(_BPF_JEQ_K, arch, 1, 0)                # 1: ours? skip the refusal
    op(_BPF_RET_K, eperm)                     # 2
    op(_BPF_LD_W_ABS, 0)                      # 3: nr
    op(_BPF_JGE_K, 0x40000000, 0, 1)          # 4: x32 ABI?
    op(_BPF_RET_K, eperm)                     # 5
    for nr in (add_key, request_key, keyctl, setns):
        op(_BPF_JEQ_K, nr, 0, 1)
        op(_BPF_RET_K, eperm)
    op(_BPF_JEQ_K, clone3, 0, 1)
    op(_BPF_RET_K, enosys)
    for nr in (unshare_nr, clone_nr):
        op(_BPF_JEQ_K, nr, 0, 3)              # not this call: past the 3 below
        op(_BPF_LD_W_ABS, 16)                 # low 32 bits of the first argument (flags)
        op(_BPF_JSET_K, CLONE_NEWUSER, 0, 1)
        op(_BPF_RET_K, eperm)
        # the flags are loaded now; reload nr for the next comparison
        op(_BPF_LD_W_ABS, 0)
    op(_BPF_RET_K, SECCOMP_RET_ALLOW)
    return b"".join(struct.pack("<HBBI", *ins) for ins in prog)


def install_seccomp() -> bool:
    """Install :func:`seccomp_program` in this process (after NO_NEW_PRIVS); False where
    the architecture is unknown. Inherited by every child and thread."""
    arch = AUDIT_ARCH.get(platform.machine())
    if not sys.platform.startswith("linux") or arch is None:
        return False
    code = seccomp_program(arch)
    buf = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    _check(_lib().prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
           "prctl(SECCOMP)")
    return True


def die_with_parent(sig: int = signal.SIGKILL, parent: int | None = None) -> None:
    """Receive ``sig`` when the parent process dies (Linux; no-op elsewhere).

    A grader killed outright (SIGKILL, a closed terminal, a batch system's time limit)
    runs no clean-up, so each sandbox process asks the kernel to be told instead. The
    setting is cleared when the process changes its user: set it again after
    :func:`drop_privileges`. With ``parent``, exits at once if the parent is already
    gone (it died before the setting took effect).
    """
    if not sys.platform.startswith("linux"):
        return
    _check(_lib().prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0), "prctl(PDEATHSIG)")
    if parent is not None and os.getppid() != parent:
        os._exit(0)


def become_subreaper() -> None:
    """Adopt the orphans of our children (Linux), so none is left as a zombie."""
    if sys.platform.startswith("linux"):
        _lib().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def describe_platform() -> str:
    return f"{platform.system()} {platform.release()} ({platform.machine()}), uid {os.getuid()}"
