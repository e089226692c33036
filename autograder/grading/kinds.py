"""What grading says about a submission, as kinds: its status in the gradebook, why it
could not be read, why a class entry was skipped, and what intake did to it.

Each kind is a str-valued enumeration, so code compares kinds, never message texts. The
messages themselves (:class:`Problem`, :class:`SkipReason`, :class:`Note`) are plain
strings as the instructor reads them, printed and written to the CSV and results.json
unchanged, that also carry their kind and, where there is one, the file they are about
(as a field: nothing needs to be split out of a message).
"""

from __future__ import annotations

from enum import Enum


class _Kind(str, Enum):
    """A kind whose text is its value, in ``str()``, ``format()``, CSV and JSON alike."""

    def __str__(self) -> str:
        return str.__str__(self)


class SubmissionStatus(_Kind):
    """A submission's status in the gradebook (the CSV's ``status`` column)."""

    GRADED = "graded"  # every check ran to its end; wrong answers allowed
    ERROR = "error"  # some check could not run to its end: raised, crashed, hung, not reached
    UNREADABLE = "unreadable"  # no module could be read: every check scores 0


class ProblemKind(_Kind):
    """Why a submission could not be read (its status is then ``unreadable``)."""

    MISSING = "missing"  # no such file or folder
    LINK = "symbolic link"  # a link, or one on the way to the module: never followed
    UNREADABLE_FILE = "unreadable file"  # an OS error, or not a regular file
    TOO_LARGE = "too large"
    NOT_GRADABLE = "not gradable"  # not a .py file, a .zip, a folder (or a notebook here)
    NO_MODULE = "no module"  # a folder or zip without the lesson's module
    SEVERAL_CANDIDATES = "several candidates"  # no module, and several other .py files
    NESTED_ZIP = "nested zip"  # a zip holding only another zip
    BAD_ZIP = "bad zip"  # not a zip, or a broken one
    UNSAFE_PATH = "unsafe path"  # a zip member path leaving the submission
    BAD_NOTEBOOK = "bad notebook"  # not a Jupyter notebook
    ENCODING = "encoding"  # UTF-16 or cp1252 source (``--decode`` converts it)
    GRADER_ERROR = "grader error"  # a grader bug, reported for that student only


class SkipKind(_Kind):
    """Why an entry of a class folder is not a submission (a ``skipped:`` line)."""

    ZIP_TOOL_FILE = "zip tool file"  # __MACOSX, .DS_Store
    HIDDEN_FILE = "hidden file"
    NOTEBOOK = "notebook"  # a notebook, where this installation cannot grade notebooks
    NOT_GRADABLE = "not gradable"  # not a .py file, a .zip or a folder
    NAME_MISMATCH = "name mismatch"  # its name does not match --name-pattern
    EARLIER_ATTEMPT = "earlier attempt"  # --name-pattern kept a later attempt


class NoteKind(_Kind):
    """What intake did, said in the notes of a submission or of the whole intake."""

    CHOICE = "choice"  # which of several candidate modules was graded, and why
    NEAR_MISS = "near miss"  # a file graded as the module (another case, a copy, .txt)
    DECODED = "decoded"  # converted to UTF-8 (--decode)
    IPYTHON_LINES = "IPython lines"  # a notebook export's IPython lines replaced by pass
    IMPORT_TIME_WORK = "import-time work"  # a hint: move that work under __main__
    CLASS_FOLDER = "class folder"  # a folder taken as a class
    ONE_SUBMISSION = "one submission"  # a folder taken as one submission
    SAME_NAME = "same name"  # two entries map to one student: distinct names given


class _Message(str):
    """A message (a str, read as it is) that also says its kind and the file it is about."""

    kind: Enum
    file: str | None

    def __new__(cls, kind: Enum, text: str, file: str | None = None):
        self = super().__new__(cls, text)
        self.kind, self.file = kind, file
        return self

    def __getnewargs__(self):  # copy and pickle rebuild it whole
        return (self.kind, str(self), self.file)

    def __repr__(self) -> str:
        where = f", file={self.file!r}" if self.file is not None else ""
        return f"{type(self).__name__}({self.kind.name}, {str.__repr__(self)}{where})"


class Problem(_Message):
    """Why a submission could not be read: ``kind`` a :class:`ProblemKind`, ``file`` the
    file it is about (readable, relative to the submission) or None for the whole of it."""

    kind: ProblemKind


class SkipReason(_Message):
    """Why a class entry was skipped: ``kind`` a :class:`SkipKind`, ``file`` the entry."""

    kind: SkipKind


class Note(_Message):
    """What intake did: ``kind`` a :class:`NoteKind`, ``file`` the file it is about."""

    kind: NoteKind
