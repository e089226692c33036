"""Student names: from each entry's name, made distinct, or read by an LMS name pattern.

A student is named after the entry (``alice.py``, ``bob/``, ``carol.zip``), or after the
folder holding the module when the entry is the module itself. Names are distinct and
stable: when several entries map to one name (``alice/``, ``alice.py``), the first in
path order keeps it, the others get the first free ``-2``, ``-3``, ... and the collision
is reported. ``--name-pattern`` takes the student id from each entry's name instead and
keeps the latest attempt per id; its presets read the bulk downloads of Canvas, Moodle
and Blackboard.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.grading.kinds import Note, NoteKind, SkipKind, SkipReason
from autograder.grading.names import module_stem, near_module, readable

if TYPE_CHECKING:
    from autograder.grading.intake import Intake
    from autograder.grading.submission import Submission


def student_name(path: Path, module: str) -> str:
    """The student an entry names: its file name without the extension, or the name of
    the folder holding it when the entry is the module itself (``bob/embedding.py``)."""
    name = readable(path.name or path.resolve().name)
    if name.lower().endswith((".zip", ".ipynb")):
        name = name.rsplit(".", 1)[0]
    else:
        found = module_stem(name)
        if found:
            name = found[0]
    if (near_module(readable(path.name), module) is not None or name == module) and path.parent.name:
        name = readable(path.parent.resolve().name)
    return name


def unique_names(subs: list[Submission], notes: list[str] | None = None) -> list[Submission]:
    """Give every submission a name no other one has (see the module's docstring)."""
    taken_by_base = {s.student for s in subs}
    used: dict[str, Submission] = {}
    for sub in subs:
        name = sub.student
        if name in used:
            k = 2
            while f"{sub.student}-{k}" in used or f"{sub.student}-{k}" in taken_by_base:
                k += 1
            name = f"{sub.student}-{k}"
            if notes is not None:
                first = used[sub.student]
                notes.append(Note(NoteKind.SAME_NAME,
                                  f"two entries map to the student {sub.student!r}: {first.entry} "
                                  f"(graded as {first.student}) and {sub.entry} (graded as "
                                  f"{name}); a re-upload? --name-pattern keeps the latest attempt",
                                  sub.entry))
        used[name] = sub
        sub.student = name
    return subs


PRESETS = {
    # Canvas: lastfirst[_LATE]_userid_submissionid_file(-1 for re-uploads)
    "canvas": r"^(?P<id>[^_]+)_(?:LATE_)?(?P<uid>\d+)_(?P<attempt>\d+)_",
    # Moodle: "Full Name_123456_assignsubmission_file_" folders
    "moodle": r"^(?P<id>.+?)_\d+_assignsubmission_",
    # Blackboard: Assignment_user_attempt_YYYY-MM-DD-HH-MM-SS_file
    "blackboard": r"^.*?_(?P<id>[^_]+)_attempt_(?P<attempt>\d{4}(?:-\d\d){5})",
}


def _attempt_key(sub: Submission, match: re.Match) -> tuple:
    attempt = match.groupdict().get("attempt")
    try:
        mtime = os.lstat(sub.source).st_mtime
    except OSError:
        mtime = 0.0
    number = int(re.sub(r"\D", "", attempt)) if attempt and re.search(r"\d", attempt) else -1
    return (number, mtime, sub.entry)


def apply_name_pattern(intake: Intake, pattern: str) -> Intake:
    """Names from ``pattern`` (a regular expression or a preset name) applied to each
    entry's name: group ``id`` (else group 1, else the whole match) is the student. Of
    several attempts of one student the latest is kept (group ``attempt``, else the file's
    time); the others are set aside and listed in ``intake.skipped``."""
    regex = re.compile(PRESETS.get(pattern, pattern))
    by_id: dict[str, list[tuple[tuple, Submission]]] = {}
    kept: list[Submission] = []
    for sub in intake.submissions:
        name = readable(Path(sub.source).name)
        m = regex.search(name)
        if not m:
            intake.skipped.append((sub.entry, SkipReason(
                SkipKind.NAME_MISMATCH, f"its name does not match --name-pattern {pattern}",
                sub.entry)))
            continue
        groups = m.groupdict()
        sid = groups.get("id") or (m.group(1) if regex.groups else m.group(0))
        by_id.setdefault(unicodedata.normalize("NFC", sid.strip()), []).append(
            (_attempt_key(sub, m), sub))
    for sid, attempts in by_id.items():
        attempts.sort(key=lambda a: a[0])
        latest = attempts[-1][1]
        latest.student = sid
        kept.append(latest)
        for _, older in attempts[:-1]:
            intake.skipped.append((older.entry, SkipReason(
                SkipKind.EARLIER_ATTEMPT, f"an earlier attempt of {sid} (kept {latest.entry})",
                older.entry)))
    intake.submissions = sorted(kept, key=lambda s: s.entry)
    return intake
