"""The sandbox of a grading run: the zygote, the confinement, uid slots, memory cgroups.

One :class:`Sandbox` serves every submission of a run. It starts the zygote, decides
what a submission's process may see (:class:`~autograder.sandbox.remote.SandboxConfig`),
hands out one unprivileged uid per concurrent job (as root), and gives each submission
its own memory cgroup where the system lets us create one, so ``--memory`` bounds the
submission as a whole, not each of its processes.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

from autograder import REPO_ROOT
from autograder.impl import SubmissionError
from autograder.lessons import LESSONS_DIR, SOLUTIONS_DIR
from autograder.sandbox import isolation, launch
from autograder.sandbox.remote import RemoteImpl, SandboxConfig, SandboxUnavailable, Zygote

UID_BASE = 61000
NPROC_WITHOUT_CGROUP = 16  # processes and threads of a submission without a memory cgroup


def free_uids(count: int) -> list[int]:
    """``count`` uids from UID_BASE on that no account of this system uses."""
    uids, uid = [], UID_BASE
    while len(uids) < count:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            uids.append(uid)
        uid += 1
    return uids


# ------------------------------------------------------------------ memory cgroups

def _own_cgroup() -> tuple[int, Path] | None:
    """(version, folder) of this process's memory cgroup, if it is a folder we may write."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    found: list[tuple[int, Path]] = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            found.append((1, Path("/sys/fs/cgroup/memory") / path.lstrip("/")))
        elif controllers == "":
            found.append((2, Path("/sys/fs/cgroup") / path.lstrip("/")))
    for version, folder in found:
        marker = "memory.limit_in_bytes" if version == 1 else "memory.max"
        if version == 2 and not (folder / "cgroup.controllers").exists():
            continue
        if version == 2 or (folder / marker).exists():
            if os.access(folder, os.W_OK):
                return version, folder
    return None


class MemoryCgroups:
    """Per-submission memory cgroups under a folder of this run; None where impossible."""

    def __init__(self, limit: int):
        self.limit = limit
        self.version = 0
        self.parent: Path | None = None
        self._count = 0
        self._lock = threading.Lock()
        own = _own_cgroup()
        if own is None:
            return
        version, folder = own
        parent = folder / f"autograder-{os.getpid()}"
        try:
            parent.mkdir()
            if version == 2:
                (parent / "cgroup.subtree_control").write_text("+memory")
            self.version, self.parent = version, parent
            probe = self.create()  # the limits must be settable, not just the folder
            self.remove(probe)
            if probe is None:
                raise OSError("cannot set a memory limit")
        except OSError:
            self.version, self.parent = 0, None
            with contextlib.suppress(OSError):
                parent.rmdir()

    def create(self) -> str | None:
        """A fresh cgroup limited to ``limit`` bytes (its folder), or None."""
        if self.parent is None:
            return None
        with self._lock:
            self._count += 1
            folder = self.parent / f"sub-{self._count}"
        try:
            folder.mkdir()
            if self.version == 1:
                (folder / "memory.limit_in_bytes").write_text(str(self.limit))
                with contextlib.suppress(OSError):  # no swap either, where swap is accounted
                    (folder / "memory.memsw.limit_in_bytes").write_text(str(self.limit))
            else:
                (folder / "memory.max").write_text(str(self.limit))
                with contextlib.suppress(OSError):
                    (folder / "memory.swap.max").write_text("0")
        except OSError:
            self.remove(str(folder))
            return None
        return str(folder)

    def remove(self, folder: str | None) -> None:
        """Remove a cgroup once its processes are gone (they have been killed)."""
        if not folder:
            return
        for _ in range(50):
            try:
                os.rmdir(folder)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)

    def close(self) -> None:
        if self.parent is not None:
            with contextlib.suppress(OSError):
                self.parent.rmdir()
            self.parent = None


# ------------------------------------------------------------------ the sandbox

class Sandbox:
    """The zygote and the confinement shared by every submission of a grading run.

    ``options`` is a :class:`~autograder.grading.grade.GradeOptions` (jobs, memory,
    total_timeout, isolation, output_limit, checks, protected, disk, max_message).
    """

    def __init__(self, options: Any, extra_protected: tuple[Path, ...] = (),
                 log: Callable[[str], None] | None = None):
        self.options = options
        self.log = log or (lambda message: None)
        self.tmp = Path(tempfile.mkdtemp(prefix="autograder-"))
        os.chmod(self.tmp, 0o711)  # sandbox uids may pass through to their own folder only
        self.zygote: Zygote | None = None
        self.cgroups: MemoryCgroups | None = None
        self.notes: list[str] = []
        jobs = max(1, options.jobs)
        self._slots = free_uids(jobs) if os.getuid() == 0 else [None] * jobs
        self._slot_lock = threading.Lock()
        try:
            self._start(extra_protected)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def memory_accounting(self) -> str:
        """How ``--memory`` is enforced in this run, in words."""
        mib = self.config.limits.memory >> 20
        if self.config.cgroup:
            return f"memory cgroup: {mib} MiB for the whole submission"
        return (f"address space: {mib} MiB per process, at most {self.config.limits.nproc} "
                "processes and threads")

    def _start(self, extra_protected: tuple[Path, ...]) -> None:
        self.zygote = Zygote(launch.cache_dir())
        root = self.tmp / "root"
        root.mkdir()
        protected = {str(Path(p).resolve()) for p in (
            LESSONS_DIR, SOLUTIONS_DIR, REPO_ROOT / "tests", self.tmp,
            *self.options.protected, *extra_protected,
            *([Path(self.options.checks).parent] if self.options.checks else []))}
        binds = isolation.plan_binds([*isolation.SYSTEM_DIRS, *self.zygote.info["paths"]],
                                     sorted(protected))
        self.cgroups = MemoryCgroups(self.options.memory)
        nproc = isolation.Limits.nproc if self.cgroups.parent else NPROC_WITHOUT_CGROUP
        limits = isolation.Limits(memory=self.options.memory,
                                  cpu=int(self.options.total_timeout) + 5, nproc=nproc)
        self.config = SandboxConfig(
            "full", str(root), tuple(binds), tuple(sorted(protected)), limits,
            self.options.output_limit,
            disk=self.options.disk, cgroup=str(self.cgroups.parent) if self.cgroups.parent else None,
            cgroup_version=self.cgroups.version)
        try:
            self._choose_isolation()
        finally:
            self.log(f"isolation: {self.config.isolation}; memory: {self.memory_accounting}")

    def _choose_isolation(self) -> None:
        if self.options.isolation not in ("auto", "full"):
            self._basic()
            return
        problem = self._probe(free_uids(1)[0] if os.getuid() == 0 else None)
        if problem and self.options.isolation == "full":
            raise SandboxUnavailable(f"full isolation is not available here: {problem}")
        if problem:
            self.log(f"warning: full isolation is not available ({problem}); submissions "
                     "run with resource limits only (see README, 'What is enforced where')")
            self._basic()

    def _basic(self) -> None:
        """Resource limits only. Without namespaces RLIMIT_NPROC counts every process of
        the grading account, so it cannot be small there."""
        limits = self.config.limits
        if self.config.cgroup is None and os.getuid() != 0:
            limits = replace(limits, nproc=isolation.Limits.nproc)
        self.config = replace(self.config, isolation="basic", limits=limits)

    def _probe(self, uid: int | None) -> str | None:
        """None if a fully isolated child starts here, else why not."""
        work = self.tmp / "probe"
        work.mkdir()
        (work / "probe.py").write_text("")
        self.prepare_workdir(work, uid)
        impl = RemoteImpl(self.zygote, self.config, work, "probe", "probe.py", uid)
        impl.begin_check(60.0, None)
        try:
            impl.start()
            self.notes = impl.notes
            return None
        except SubmissionError as exc:
            return exc.message
        finally:
            impl.close()
            shutil.rmtree(work, ignore_errors=True)

    def close(self) -> None:
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None
        if self.cgroups is not None:
            self.cgroups.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    @staticmethod
    def prepare_workdir(work: Path, uid: int | None) -> None:
        os.chmod(work, 0o700)
        if uid is not None:
            for path in (work, *work.iterdir()):
                os.chown(path, uid, uid)

    def take_slot(self) -> int | None:
        with self._slot_lock:
            return self._slots.pop()

    def give_slot(self, uid: int | None) -> None:
        with self._slot_lock:
            self._slots.append(uid)

    @contextlib.contextmanager
    def submission(self, filename: str, content: bytes, module: str,
                   lesson: int, siblings: dict[str, bytes] | None = None) -> Iterator[RemoteImpl]:
        """A RemoteImpl for one submission; its uid slot, folder and cgroup are released
        however grading ends. ``siblings`` (plain file names to bytes) are the submission's
        other modules, copied beside the graded one so that it can import them."""
        uid: int | None = None
        taken = False
        work: Path | None = None
        cgroup: str | None = None
        impl: RemoteImpl | None = None
        try:
            uid = self.take_slot()
            taken = True
            work = Path(tempfile.mkdtemp(dir=self.tmp, prefix="sub-"))
            for name, data in (siblings or {}).items():
                if os.path.basename(name) == name and name not in (filename, ".", ".."):
                    (work / name).write_bytes(data)
            (work / filename).write_bytes(content)
            self.prepare_workdir(work, uid)
            cgroup = self.cgroups.create() if self.cgroups and self.config.cgroup else None
            impl = RemoteImpl(self.zygote, self.config, work, module, filename, uid,
                              lesson=lesson, cgroup=cgroup)
            yield impl
        finally:
            try:
                if impl is not None:
                    impl.close()
                if self.cgroups is not None:
                    self.cgroups.remove(cgroup)
                if work is not None:
                    shutil.rmtree(work, ignore_errors=True)
            finally:
                if taken:
                    self.give_slot(uid)
