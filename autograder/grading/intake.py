"""The intake: what ``autograder grade`` takes from the paths it is given.

A folder is a class (each entry a submission) unless it is one submission: it holds the
module itself, or its only gradable entry is one folder (``student_c/lab03/embedding.py``).
Every entry of a class becomes a submission or a "skipped" line with its reason: nothing
vanishes silently. Student names are then made distinct (see
:mod:`autograder.grading.students`). See the README, "For instructors: grading".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading import reading
from autograder.grading.kinds import Note, NoteKind, SkipKind, SkipReason
from autograder.grading.names import display, module_stem, near_module, readable
from autograder.grading.students import unique_names
from autograder.grading.submission import Submission, read_submission


@dataclass
class Intake:
    """What a class folder gave: submissions, entries skipped (with why) and notes."""

    submissions: list[Submission]
    skipped: list[tuple[str, SkipReason]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_GRADABLE = "a .py file, a .zip or a folder"


def why_not_gradable(path: Path) -> SkipReason | None:
    """None if ``path`` (an entry of a class folder) is a submission, else why not."""
    name = readable(path.name or path.resolve().name)
    entry = display(path)
    if path.is_symlink() or path.is_dir():
        return None  # a link becomes a refused submission: it is reported in the gradebook
    if name.startswith("."):
        return SkipReason(SkipKind.HIDDEN_FILE, "a hidden file", entry)
    if name.lower().endswith(".zip") or module_stem(name):
        return None
    if name.lower().endswith(".ipynb") and reading.notebook_support() is not None:
        return None
    if name.lower().endswith(".ipynb"):
        return SkipReason(SkipKind.NOTEBOOK, "a notebook: export it as a .py file (File > "
                          "Download as > Python) to grade it", entry)
    return SkipReason(SkipKind.NOT_GRADABLE, f"not {_GRADABLE}", entry)


def is_class(path: Path, module: str) -> bool:
    """Whether the folder ``path`` is a class (each entry a submission) rather than one
    submission: it is one submission when it holds the module (or a near miss) itself,
    or when its only gradable entry is one folder (``student_c/lab03/embedding.py``)."""
    if not path.is_dir() or path.is_symlink():
        return False
    entries = [p for p in path.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if any(near_module(p.name, module) is not None for p in entries if p.is_file()):
        return False
    gradable = [p for p in entries if why_not_gradable(p) is None]
    if len(gradable) == 1 and gradable[0].is_dir() and not gradable[0].is_symlink():
        return False
    return True


def gather(paths: list[Path], module: str, skeleton: bytes | None = None,
           decode: bool = False) -> Intake:
    """Every submission among ``paths``, every entry skipped with why, and notes.

    A folder is a class unless :func:`is_class` says it is one submission; each entry of
    a class (a .py file, a .zip or a folder) is one submission, anything else is skipped
    with its reason. Names come from the file or folder name (readable, NFC), made
    distinct by :func:`autograder.grading.students.unique_names`, which reports any
    collision in the notes.
    """
    intake = Intake([])
    for path in paths:
        path = Path(path)
        if is_class(path, module):
            entries = sorted(path.iterdir(), key=lambda p: readable(p.name))
            count = 0
            for p in entries:
                if p.name.startswith("__MACOSX") or p.name in (".DS_Store",):
                    intake.skipped.append((display(p), SkipReason(
                        SkipKind.ZIP_TOOL_FILE, "a file a zip tool added", display(p))))
                    continue
                why = why_not_gradable(p)
                if why:
                    intake.skipped.append((display(p), why))
                    continue
                intake.submissions.append(read_submission(p, module, skeleton, decode))
                count += 1
            skipped = len(entries) - count
            intake.notes.append(Note(NoteKind.CLASS_FOLDER,
                                     f"{display(path)} taken as a class folder: "
                                     f"{count} submission{'s' * (count != 1)}, "
                                     f"{skipped} entr{'ies' if skipped != 1 else 'y'} skipped",
                                     display(path)))
            continue
        if path.is_dir() and not path.is_symlink():
            intake.notes.append(Note(NoteKind.ONE_SUBMISSION,
                                     f"{display(path)} taken as one submission, named "
                                     f"{readable(path.name)!r}", display(path)))
        intake.submissions.append(read_submission(path, module, skeleton, decode))
    unique_names(intake.submissions, intake.notes)
    return intake


def find_submissions(paths: list[Path], module: str, skeleton: bytes | None = None,
                     decode: bool = False) -> list[Submission]:
    """Every submission among ``paths`` (see :func:`gather`)."""
    return gather(paths, module, skeleton, decode).submissions
