"""The module inside a zip, read and never extracted.

The members' bytes are read and later copied into a fresh folder, so ``../`` paths
cannot write anything. A candidate module whose path leaves the zip, that is a
symbolic link or that is too large refuses the submission; a sibling that is any of
these is simply not copied. A zip that holds only another zip says what the inner one
holds.
"""

from __future__ import annotations

import io
import stat
import zipfile

from autograder.grading.candidates import Candidate, choose, siblings_beside
from autograder.grading.kinds import Problem, ProblemKind
from autograder.grading.names import is_test_file, module_stem, near_module, readable
from autograder.grading.reading import MAX_MODULE_BYTES


def _name(member: zipfile.ZipInfo) -> str:
    return member.filename.rsplit("/", 1)[-1]


def read_zip(path, module: str, skeleton: bytes | None = None
             ) -> tuple[bytes | None, Problem | None, dict[str, bytes], list[str], str | None]:
    """The module inside a zip (a path or an open binary file), never extracted:
    (content, problem, sibling modules, notes, the member graded)."""
    notes: list[str] = []

    def refused(kind: ProblemKind, text: str, file: str | None = None):
        return None, Problem(kind, text, file), {}, notes, None

    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()
                       and "__MACOSX" not in m.filename and not _name(m).startswith(".")]
            pys = [m for m in members if module_stem(_name(m))]
            named = [m for m in pys if near_module(_name(m), module) is not None]
            chosen_members = named or [m for m in pys if m.filename.endswith(".py")
                                       and not is_test_file(_name(m))]
            if not chosen_members:
                inner = [m for m in members if m.filename.lower().endswith(".zip")]
                if inner:
                    return refused(ProblemKind.NESTED_ZIP, _inner_zip(zf, inner[0], module),
                                   readable(inner[0].filename))
                shown = ", ".join(readable(m.filename) for m in members[:5]) or "nothing"
                return refused(ProblemKind.NO_MODULE,
                               f"the zip holds no {module}.py (it holds: {shown})")
            if not named and len(chosen_members) > 1:
                names = ", ".join(readable(m.filename) for m in chosen_members[:5])
                return refused(ProblemKind.SEVERAL_CANDIDATES,
                               f"the zip holds several candidate modules ({names}); keep one "
                               f"{module}.py")
            files: dict[str, bytes] = {}
            found = []
            for member in chosen_members + [m for m in pys if m not in chosen_members]:
                parts = member.filename.replace("\\", "/").split("/")
                candidate = member in chosen_members
                unsafe = (member.filename.startswith(("/", "\\")) or ".." in parts
                          or ":" in parts[0])
                link = stat.S_ISLNK(member.external_attr >> 16)
                if not candidate and (unsafe or link or member.file_size > MAX_MODULE_BYTES):
                    continue  # not the module: such a sibling is simply not copied
                shown = readable(member.filename)
                if unsafe:
                    return refused(ProblemKind.UNSAFE_PATH,
                                   f"unsafe path in the zip: {shown!r}", shown)
                if link:
                    return refused(ProblemKind.LINK, f"{shown} in the zip is a symbolic link",
                                   shown)
                too_large = f"{shown} is larger than {MAX_MODULE_BYTES >> 10} KiB"
                if member.file_size > MAX_MODULE_BYTES:
                    return refused(ProblemKind.TOO_LARGE, too_large, shown)
                with zf.open(member) as f:
                    data = f.read(MAX_MODULE_BYTES + 1)
                if len(data) > MAX_MODULE_BYTES:
                    return refused(ProblemKind.TOO_LARGE, too_large, shown)
                rel = readable(member.filename.replace("\\", "/"))
                files[rel] = data
                if member in chosen_members:
                    exact = near_module(rel.rsplit("/", 1)[-1], module) is not False
                    found.append(Candidate(rel, rel.count("/"), exact, data, None))
            best = choose(found, module, skeleton, notes)
            return best.data, None, siblings_beside(files, module, best.rel), notes, best.rel
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        return refused(ProblemKind.BAD_ZIP, f"unreadable zip: {exc}")


def _inner_zip(zf: zipfile.ZipFile, member: zipfile.ZipInfo, module: str) -> str:
    """What a zip inside the zip holds, for the message."""
    what = "an unreadable zip"
    try:
        if member.file_size <= 64 * MAX_MODULE_BYTES:
            with zipfile.ZipFile(io.BytesIO(zf.read(member))) as inner:
                names = [readable(n) for n in inner.namelist() if not n.endswith("/")]
            what = "; ".join(names[:6]) or "nothing"
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        pass
    return (f"the zip holds no {module}.py but another zip, {readable(member.filename)}, which "
            f"holds: {what}; submit that inner zip (or its {module}.py) itself")
