"""One submission: a module file, a notebook, a folder holding either, or a zip.

Only the lesson's module is graded (``embedding.py`` for lesson 03); its siblings (the
other ``.py`` files of its folder) are copied too, so that it can import them. Nothing is
ever extracted and no symbolic link is ever followed: a submission that is a link, or
holds one on the way to its module (as unpacking a student's tar or zip can give), is
refused (see :mod:`autograder.grading.reading` and :mod:`autograder.grading.zips`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading import reading
from autograder.grading.candidates import (MAX_SIBLINGS, Candidate, candidates_in, choose,
                                           siblings_beside)
from autograder.grading.kinds import Note, NoteKind, Problem, ProblemKind
from autograder.grading.names import display, module_stem, near_module
from autograder.grading.decoding import prepare
from autograder.grading.students import student_name
from autograder.grading.zips import read_zip


@dataclass
class Submission:
    student: str
    source: Path
    content: bytes | None = None  # the module's source, when it could be read
    error: Problem | None = None  # why it could not
    siblings: dict[str, bytes] = field(default_factory=dict)  # other modules beside it
    notes: list[str] = field(default_factory=list)  # what intake did (choice, rewrites)
    entry: str = ""  # the entry as the instructor sees it (readable)
    graded_file: str | None = None  # the module's path in the submission (readable)


def read_submission(path: Path, module: str, skeleton: bytes | None = None,
                    decode: bool = False) -> Submission:
    """One submission: a .py file, a .zip, or a folder holding the module.

    A submission that is a symbolic link, or a folder holding one (at any depth), is
    refused: a link could point anywhere on the grader's machine. ``skeleton`` (the
    lesson's untouched module) lets the choice among several candidates prefer the one
    the student edited; ``decode`` converts UTF-16 and cp1252 files to UTF-8.
    """
    sub = Submission(student_name(path, module), path, entry=display(path))
    if path.is_symlink():
        sub.error = Problem(ProblemKind.LINK,
                            "the submission is a symbolic link; submit the files themselves")
        return sub
    if not path.exists():
        sub.error = Problem(ProblemKind.MISSING, "no such file or folder")
        return sub
    if path.name.lower().endswith(".zip") and path.is_file():
        try:
            fd = reading.open_beneath(path.parent, path)
        except OSError as exc:
            sub.error = Problem(ProblemKind.UNREADABLE_FILE,
                                f"cannot read {display(Path(path.name))}: {exc.strerror}")
            return sub
        with os.fdopen(fd, "rb") as f:
            sub.content, sub.error, sub.siblings, notes, sub.graded_file = read_zip(
                f, module, skeleton)
        sub.notes += notes
    elif path.is_dir():
        _read_folder(sub, path, module, skeleton)
    elif path.name.lower().endswith(".ipynb") and reading.notebook_support() is not None:
        sub.graded_file = display(Path(path.name))
        sub.content, sub.error = reading.read_notebook(path)
    elif module_stem(path.name):
        sub.graded_file = display(Path(path.name))
        sub.content, sub.error = reading.read_file(path)
        if near_module(path.name, module) is False or not path.name.endswith(".py"):
            sub.notes.append(Note(NoteKind.NEAR_MISS,
                                  f"graded {sub.graded_file} as {module}.py", sub.graded_file))
    else:
        sub.error = Problem(ProblemKind.NOT_GRADABLE, "not a .py file, a .zip or a folder")
    return prepare(sub, decode)


def _read_folder(sub: Submission, path: Path, module: str, skeleton: bytes | None) -> None:
    """The module of the folder ``path`` (and its siblings) into ``sub``, or why not."""
    named, others, links = candidates_in(path, module)
    if links:
        shown = [display(p.relative_to(path)) for p in links[:3]]
        sub.error = Problem(ProblemKind.LINK,
                            f"the folder holds symbolic links ({', '.join(shown)}), which could "
                            "point anywhere; submit the files themselves", shown[0])
    elif not named and not others:
        sub.error = Problem(ProblemKind.NO_MODULE, f"no {module}.py in the folder")
    elif not named and len(others) > 1:
        sub.error = Problem(ProblemKind.SEVERAL_CANDIDATES,
                            f"several candidate modules in the folder "
                            f"({', '.join(display(p.relative_to(path)) for p in others[:5])}); "
                            f"keep one {module}.py")
    else:
        found = []
        for p in named or others:
            read = reading.read_notebook if p.suffix == ".ipynb" else reading.read_file
            data, problem = read(p, path)
            rel = display(p.relative_to(path))
            found.append(Candidate(rel, len(p.relative_to(path).parts) - 1,
                                   near_module(p.name, module) is not False, data, problem))
        best = choose(found, module, skeleton, sub.notes)
        sub.content, sub.error, sub.graded_file = best.data, best.problem, best.rel
        if best.data is not None:
            folder = path / best.rel.rpartition("/")[0] if "/" in best.rel else path
            files = {}
            for p in others:
                if p.parent == folder and len(files) < MAX_SIBLINGS:
                    data, _ = reading.read_file(p, path)
                    if data is not None:
                        files[display(p.relative_to(path))] = data
            sub.siblings = siblings_beside(files, module, best.rel)
