"""Grading a real class: intake, names, regrades, the class report, shards.

Each situation is built in a temporary folder the way LMS downloads, zip tools and
student habits deliver it, and the gradebook rows, names and messages are asserted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path


from autograder import data
from autograder.grading import formats
from autograder.grading.grade import SubmissionResult
from autograder.grading.gradebook import Gradebook, merge_parts, specs
from autograder.grading.class_report import html_page, terminal_summary
from autograder.grading.intake import gather
from autograder.grading.kinds import NoteKind, ProblemKind, SkipKind, SubmissionStatus
from autograder.grading.decoding import import_time_work, prepare, strip_ipython
from autograder.grading.students import apply_name_pattern
from autograder.grading.submission import Submission
from autograder.lessons import get_lesson
from autograder.runner import CheckResult, collect

LESSON = get_lesson("03")
SOLUTION = LESSON.solution.read_text()
SKELETON = LESSON.skeleton.read_bytes()
CHECKS = collect(LESSON.checks)
AUTOGRADER = [sys.executable, "-m", "autograder.cli"]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*AUTOGRADER, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=900)


def rows_of(path: Path) -> dict[str, dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0]["student"] == "max points"
    return {row["student"]: row for row in rows[1:]}


def intake(folder: Path, **kw):
    return gather([folder], LESSON.module, SKELETON, **kw)


# ------------------------------------------------------------------ intake (no grading)

def test_every_entry_is_graded_or_skipped_with_why(tmp_path):
    c = tmp_path / "class"
    c.mkdir()
    (c / "x.py.txt").write_text(SOLUTION)  # an editor added .txt
    (c / "y.PY").write_text(SOLUTION)
    (c / "notes.pdf").write_bytes(b"%PDF")
    (c / "z.ipynb").write_text("{}")  # a notebook is a submission: this one is unreadable
    (c / ".DS_Store").write_bytes(b"")
    got = intake(c)
    names = {s.student: s for s in got.submissions}
    assert sorted(names) == ["x", "y", "z"]
    assert all(names[s].content == SOLUTION.encode() for s in ("x", "y"))
    assert "not a Jupyter notebook" in names["z"].error
    assert "graded x.py.txt as embedding.py" in names["x"].notes
    skipped = dict(got.skipped)
    assert set(skipped) == {str(c / "notes.pdf"), str(c / ".DS_Store")}
    assert "not a .py file" in skipped[str(c / "notes.pdf")]
    assert any("taken as a class folder: 3 submissions, 2 entries skipped" in n for n in got.notes)


def test_near_miss_module_names_and_the_candidate_rule(tmp_path):
    c = tmp_path / "class"
    for student, rel in [("case", "Embedding.PY"), ("copy1", "embedding (1).py"),
                         ("dash", "lab/embedding-1.py"), ("txt", "embedding.py.txt")]:
        (c / student / rel).parent.mkdir(parents=True)
        (c / student / rel).write_text(SOLUTION)
    # an untouched skeleton beside the finished copy in backup/: the edited one wins
    (c / "two" / "backup").mkdir(parents=True)
    (c / "two" / "embedding.py").write_bytes(SKELETON)
    (c / "two" / "backup" / "embedding.py").write_text(SOLUTION)
    # both edited: the shallowest wins
    (c / "deep" / "old").mkdir(parents=True)
    (c / "deep" / "embedding.py").write_text(SOLUTION)
    (c / "deep" / "old" / "embedding.py").write_text("# an old try\n" + SOLUTION)
    subs = {s.student: s for s in intake(c).submissions}
    assert sorted(subs) == ["case", "copy1", "dash", "deep", "two", "txt"]
    for name in ("case", "copy1", "dash", "txt", "two", "deep"):
        assert subs[name].content == SOLUTION.encode(), name
    assert subs["two"].notes[0].startswith("graded backup/embedding.py (edited")
    assert "embedding.py (the untouched skeleton)" in subs["two"].notes[0]
    assert "not graded: old/embedding.py" in subs["deep"].notes[0]


def test_a_lone_folder_is_named_after_itself_and_a_class_is_announced(tmp_path):
    (tmp_path / "student_c" / "lab03").mkdir(parents=True)
    (tmp_path / "student_c" / "lab03" / "embedding.py").write_text(SOLUTION)
    (tmp_path / "student_c" / "lab03" / "README.md").write_text("notes")
    got = gather([tmp_path / "student_c"], "embedding")
    assert [s.student for s in got.submissions] == ["student_c"]
    assert got.submissions[0].content == SOLUTION.encode()
    assert "taken as one submission" in got.notes[0]
    (tmp_path / "student_d").mkdir()
    got = gather([tmp_path], "embedding")
    assert "taken as a class folder" in got.notes[0]


def test_names_are_readable_nfc_and_collisions_reported(tmp_path):
    c = tmp_path / "class"
    c.mkdir()
    # what unzip leaves for a zip made on Windows: cp1252 bytes, not UTF-8
    os.mkdir(os.path.join(os.fsencode(c), b"Jos\xe9"))
    (c / os.fsdecode(b"Jos\xe9") / "embedding.py").write_text(SOLUTION)
    # the same name from a macOS zip (NFD) and typed on Linux (NFC): one student, reported
    (c / (unicodedata.normalize("NFD", "Zoë") + ".py")).write_text(SOLUTION)
    (c / "Zoë.zip").write_bytes(b"")
    with zipfile.ZipFile(c / "Zoë.zip", "w") as zf:
        zf.writestr("embedding.py", SOLUTION)
    got = intake(c)
    names = [s.student for s in got.submissions]
    assert names == ["José", "Zoë", "Zoë-2"]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    assert any("two entries map to the student 'Zoë'" in n and "Zoë-2" in n for n in got.notes)


def test_name_pattern_keeps_the_latest_attempt(tmp_path):
    c = tmp_path / "canvas"
    c.mkdir()
    (c / "smithalice_1001_5001_embedding.py").write_text("# first\n" + SOLUTION)
    (c / "smithalice_LATE_1001_5009_embedding-1.py").write_text(SOLUTION)
    (c / "doebob_1002_5003_embedding.py").write_text(SOLUTION)
    (c / "readme.py").write_text("")
    got = apply_name_pattern(intake(c), "canvas")
    assert {s.student: s.content for s in got.submissions} == {
        "smithalice": SOLUTION.encode(), "doebob": SOLUTION.encode()}
    why = dict(got.skipped)
    assert "an earlier attempt of smithalice" in why[str(c / "smithalice_1001_5001_embedding.py")]
    assert "does not match --name-pattern" in why[str(c / "readme.py")]
    got = apply_name_pattern(intake(c), r"_(\d+)_")  # group 1 is the id
    assert sorted(s.student for s in got.submissions) == ["1001", "1002"]


def test_moodle_and_blackboard_presets(tmp_path):
    m = tmp_path / "moodle"
    for folder in ("Alice Smith_123456_assignsubmission_file_", "Bob Doe_123457_assignsubmission_file_"):
        (m / folder).mkdir(parents=True)
        (m / folder / "embedding.py").write_text(SOLUTION)
    got = apply_name_pattern(intake(m), "moodle")
    assert sorted(s.student for s in got.submissions) == ["Alice Smith", "Bob Doe"]
    b = tmp_path / "blackboard"
    b.mkdir()
    (b / "HW3_alice_attempt_2026-11-29-10-11-12_embedding.py").write_text("# old\n")
    (b / "HW3_alice_attempt_2026-11-30-09-00-00_embedding.py").write_text(SOLUTION)
    (b / "HW3_bob_attempt_2026-11-28-08-00-00_embedding.py").write_text(SOLUTION)
    got = apply_name_pattern(intake(b), "blackboard")
    assert {s.student: s.content for s in got.submissions} == {
        "alice": SOLUTION.encode(), "bob": SOLUTION.encode()}
    assert len(got.skipped) == 1 and "earlier attempt of alice" in got.skipped[0][1]


def test_zip_inside_zip_says_what_it_holds(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("lab03/embedding.py", SOLUTION)
    with zipfile.ZipFile(tmp_path / "ann.zip", "w") as zf:
        zf.writestr("handin.zip", inner.getvalue())
    (sub,) = gather([tmp_path / "ann.zip"], "embedding").submissions
    assert "another zip, handin.zip, which holds: lab03/embedding.py" in sub.error


def test_problems_skips_and_notes_carry_their_kind_and_file(tmp_path):
    """Code compares kinds, never message texts, and never splits a file out of one."""
    c = tmp_path / "class"
    c.mkdir()
    with zipfile.ZipFile(c / "ann.zip", "w") as zf:
        zf.writestr("lab/../embedding.py", SOLUTION)
    (c / "bob").mkdir()
    (c / "bob" / "lab").mkdir()
    (c / "bob" / "lab" / "embedding.py").write_bytes(SOLUTION.encode("utf-16"))
    (c / "cy.py.txt").write_text(SOLUTION)
    (c / "notes.pdf").write_bytes(b"%PDF")
    got = intake(c)
    subs = {s.student: s for s in got.submissions}
    assert (subs["ann"].error.kind, subs["ann"].error.file) == (
        ProblemKind.UNSAFE_PATH, "lab/../embedding.py")
    assert (subs["bob"].error.kind, subs["bob"].error.file) == (
        ProblemKind.ENCODING, "lab/embedding.py")
    (note,) = subs["cy"].notes
    assert (note.kind, note.file) == (NoteKind.NEAR_MISS, "cy.py.txt")
    ((entry, why),) = got.skipped
    assert (why.kind, why.file) == (SkipKind.NOT_GRADABLE, entry)
    assert [n.kind for n in got.notes] == [NoteKind.CLASS_FOLDER]
    result = SubmissionResult("ann", "ann.zip", [], error=subs["ann"].error)
    assert formats.status(result) is SubmissionStatus.UNREADABLE
    assert json.loads(json.dumps(formats.class_entry(result)))["extra_data"]["status"] == (
        "unreadable")


def test_sibling_modules_travel_with_the_module(tmp_path):
    (tmp_path / "ann" / "lab").mkdir(parents=True)
    (tmp_path / "ann" / "lab" / "embedding.py").write_text("from util import f\n")
    (tmp_path / "ann" / "lab" / "util.py").write_text("def f(): pass\n")
    (tmp_path / "ann" / "lab" / "test_mine.py").write_text("")
    (tmp_path / "ann" / "lab" / "old").mkdir()
    (tmp_path / "ann" / "lab" / "old" / "other.py").write_text("")  # not beside the module
    (sub,) = gather([tmp_path / "ann"], "embedding").submissions
    assert sub.siblings == {"util.py": b"def f(): pass\n"}


def test_notebooks_wait_for_the_notebook_support(tmp_path, monkeypatch):
    from autograder.grading import reading

    (tmp_path / "ann.ipynb").write_text("{}")
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "embedding.ipynb").write_text("{}")
    (tmp_path / "dee.py").write_text(SOLUTION)
    monkeypatch.setattr(reading, "notebook_support", lambda: None)
    got = gather([tmp_path], "embedding")
    assert [s.student for s in got.submissions] == ["bob", "dee"]  # a folder: a row
    assert "a notebook" in dict(got.skipped)[str(tmp_path / "ann.ipynb")]

    class Bad(ValueError):
        pass

    def convert(data: bytes, name: str) -> str:
        if data == b"{}":
            return f"# from {name}\n"
        raise Bad("not a Jupyter notebook")

    monkeypatch.setattr(reading, "notebook_support", lambda: (convert, Bad))
    (tmp_path / "cy.ipynb").write_text("")
    subs = {s.student: s for s in gather([tmp_path], "embedding").submissions}
    assert subs["ann"].content == b"# from ann.ipynb\n"
    assert subs["bob"].content == b"# from embedding.ipynb\n"
    assert "not a Jupyter notebook" in subs["cy"].error


def test_encodings_are_named_and_decoded_on_request():
    utf16 = Submission("a", Path("a.py"), SOLUTION.encode("utf-16"))
    assert "UTF-16" in prepare(utf16).error and "--decode" in utf16.error
    cp = Submission("b", Path("b.py"), "# café\n".encode("cp1252") + SOLUTION.encode())
    assert "not UTF-8" in prepare(cp).error and "cp1252" in cp.error
    for raw in (SOLUTION.encode("utf-16"), "# café\n".encode("cp1252") + SOLUTION.encode()):
        sub = prepare(Submission("c", Path("c.py"), raw), decode=True)
        assert sub.error is None and SOLUTION.encode() in sub.content
        assert "converted from" in sub.notes[0]


def test_ipython_lines_are_not_run_and_import_time_work_gets_a_hint():
    source = ("# In[1]:\n!pip install torch\nget_ipython().run_line_magic('matplotlib', 'inline')"
              "\n%matplotlib inline\n" + SOLUTION.replace("from __future__ import annotations\n", "")
              + "\nwords = open('names.txt').read().splitlines()\n")
    plain, skipped = strip_ipython(source.encode())
    compile(plain, "x.py", "exec")
    assert len(skipped) == 3 and skipped[0] == "line 2: !pip install torch"
    assert len(plain.splitlines()) == len(source.splitlines())  # line numbers stay
    assert import_time_work(plain) and "open()" in import_time_work(plain)[0]
    assert strip_ipython(SOLUTION.encode()) == (SOLUTION.encode(), [])


def test_names_txt_with_windows_line_endings_or_a_blank_tail_is_named(tmp_path):
    text = b"emma\nolivia\nava\n"
    ds = data.Dataset("toy", "toy.txt", "file:///nowhere", hashlib.sha256(text).hexdigest(),
                      len(text))
    path = tmp_path / "toy.txt"
    path.write_bytes(text.replace(b"\n", b"\r\n"))
    assert "Windows (CRLF) line endings" in data.check_file(ds, path)
    assert "dos2unix" in data.check_file(ds, path)
    path.write_bytes(text + b"\n\n")
    assert "extra blank lines" in data.check_file(ds, path)
    path.write_bytes(text[:-4])
    assert "truncated" in data.check_file(ds, path)


# ------------------------------------------------------------------ gradebook (no grading)

def _result(student: str, passed: int, error: str | None = None,
            message: str = "wrong\n  hint: use C[X]") -> SubmissionResult:
    results = [CheckResult(c.name, c.todo, c.points, c.points if i < passed else 0,
                           "passed" if i < passed else ("timeout" if error == "slow" else "failed"),
                           "" if i < passed else message)
               for i, c in enumerate(CHECKS)]
    return SubmissionResult(student, f"{student}.py", results, seconds=0.5 + passed)


def test_formula_names_are_escaped_and_excel_gets_a_bom(tmp_path):
    book = Gradebook(specs(CHECKS))
    for name in ("=HYPERLINK(\"x\")", "+1", "-x", "@sum", "José"):
        book.update(_result(name, 6))
    text = book.csv_text(excel=True)
    assert text.startswith("\ufeff")
    students = [row[0] for row in csv.reader(io.StringIO(text[1:]))][2:]
    assert all(not s.startswith(("=", "+", "-", "@")) for s in students)
    assert "'=HYPERLINK(\"x\")" in students and "José" in students
    path = tmp_path / "g.csv"
    path.write_text(text, encoding="utf-8")
    again = Gradebook(specs(CHECKS))
    again.load_csv(path)  # read back, the names are the students' own
    assert set(again.csv_rows) == {"=HYPERLINK(\"x\")", "+1", "-x", "@sum", "José"}
    assert again.csv_text(excel=True) == text


def test_class_report_terminal_and_html():
    results = [_result("ann", len(CHECKS)), _result("bob", 2), _result("cy", 2), _result("dee", 0, "slow")]
    entries = {r.student: formats.class_entry(r) for r in results}
    text = terminal_summary(entries)
    assert "4 students" in text and "1 with full marks" in text
    assert "2 x use C[X]" in text  # counted once per student
    assert "dee: timeout" in text
    page = html_page(entries, title="Lesson 03")
    assert page.count("<svg") == 2 and "<script" not in page and "src=" not in page
    for needle in ("Lesson 03", "Score distribution", "use C[X]", "dee", "timeout",
                   "Grading time", "test_embed_small"):
        assert needle in page, needle


# ------------------------------------------------------------------ the CLI, grading for real

def _class(folder: Path) -> Path:
    folder.mkdir()
    (folder / "alice.py").write_text(SOLUTION)
    (folder / "bob").mkdir()
    (folder / "bob" / "embedding.py").write_bytes(SKELETON)
    (folder / "=cmd.py").write_text(SOLUTION)
    os.mkdir(os.path.join(os.fsencode(folder), b"Jos\xe9"))
    (folder / os.fsdecode(b"Jos\xe9") / "embedding.py").write_text(SOLUTION)
    (folder / "helped").mkdir()  # a sibling module beside the module
    (folder / "helped" / "embedding.py").write_text(
        SOLUTION.replace("def embed(C, X):", "from tools import embed_impl\n\n\ndef embed(C, X):"
                         "\n    return embed_impl(C, X)\n\n\ndef _old_embed(C, X):"))
    (folder / "helped" / "tools.py").write_text("def embed_impl(C, X):\n    return C[X]\n")
    nb = SOLUTION.replace("import torch\n", "import torch\n\n# In[2]:\n!pip install torch\n"
                          "get_ipython().run_line_magic('matplotlib', 'inline')\n", 1)
    (folder / "nbexport.py").write_text(nb)
    (folder / "slides.pdf").write_bytes(b"%PDF")
    return folder


def test_regrade_keeps_every_other_row(tmp_path):
    c = _class(tmp_path / "class")
    out_csv, out_json = tmp_path / "grades.csv", tmp_path / "results.json"
    old = os.umask(0o022)
    try:
        proc = run_cli("grade", "--lesson", "03", str(c), "--csv", str(out_csv), "--json",
                       str(out_json), "--jobs", "2", "--quiet")
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr
    assert f"skipped: {c / 'slides.pdf'}: not a .py file" in proc.stdout
    assert "6 rows added" in proc.stdout
    assert "nbexport: 2 IPython lines of a notebook export not run" in proc.stdout
    for path in (out_csv, out_json):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    rows = rows_of(out_csv)
    totals = {name: int(row["total"]) for name, row in rows.items()}
    full = sum(c.points for c in CHECKS)
    assert totals == {"'=cmd": full, "alice": full, "bob": 0, "helped": full, "José": full,
                      "nbexport": full}
    first = json.loads(out_json.read_text())
    assert set(first) == {"=cmd", "alice", "bob", "helped", "José", "nbexport"}

    # bob hands in late: regrade only him into the same files
    late = tmp_path / "late" / "bob.py"
    late.parent.mkdir()
    late.write_text(SOLUTION)
    proc = run_cli("grade", "--lesson", "03", str(late), "--csv", str(out_csv), "--json",
                   str(out_json), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "0 rows added, 1 replaced (bob), 5 kept" in proc.stdout
    rows = rows_of(out_csv)
    assert {name: int(row["total"]) for name, row in rows.items()} == {**totals, "bob": full}
    for name in totals:
        if name != "bob":
            assert rows[name] == rows_of(out_csv)[name]
    second = json.loads(out_json.read_text())
    assert set(second) == set(first) and second["bob"]["score"] == full
    for name in set(first) - {"bob"}:
        assert second[name] == first[name]

    # a new student is added; --fresh starts over; one student's JSON is still keyed
    (tmp_path / "late" / "bob.py").rename(tmp_path / "late" / "dora.py")
    proc = run_cli("grade", "--lesson", "03", str(tmp_path / "late" / "dora.py"), "--csv",
                   str(out_csv), "--json", str(out_json), "--quiet", "--fresh", "--excel")
    assert proc.returncode == 0, proc.stderr
    assert out_csv.read_text(encoding="utf-8").startswith("\ufeff")
    assert list(rows_of(out_csv)) == ["dora"]
    assert list(json.loads(out_json.read_text())) == ["dora"]


def test_a_gradebook_of_other_checks_is_never_overwritten(tmp_path):
    out_csv = tmp_path / "grades.csv"
    out_csv.write_text("student,something,total,status,problem\nmax points,5,5,,\nann,5,5,graded,\n")
    (tmp_path / "x.py").write_text(SOLUTION)
    proc = run_cli("grade", "--lesson", "03", str(tmp_path / "x.py"), "--csv", str(out_csv))
    assert proc.returncode == 2 and "--fresh" in proc.stderr
    assert "ann,5,5" in out_csv.read_text()


def test_an_empty_class_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    out_csv = tmp_path / "grades.csv"
    proc = run_cli("grade", "--lesson", "03", str(tmp_path / "empty"), "--csv", str(out_csv))
    assert proc.returncode == 2 and "nothing to grade" in proc.stderr
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "a.pdf").write_bytes(b"")
    (tmp_path / "junk" / "b.docx").write_bytes(b"")
    proc = run_cli("grade", "--lesson", "03", str(tmp_path / "junk"), "--csv", str(out_csv))
    assert proc.returncode == 2 and "every entry was skipped" in proc.stderr
    assert "skipped:" in proc.stdout and "a.pdf" in proc.stdout
    assert not out_csv.exists()


def test_three_shards_merge_into_the_unsharded_gradebook(tmp_path):
    c = tmp_path / "class"
    c.mkdir()
    for i, name in enumerate(["ann", "ben", "cy", "dee", "eve", "fay", "gus"]):
        (c / f"{name}.py").write_text(SOLUTION if i % 2 == 0 else SKELETON.decode())
    whole = run_cli("grade", "--lesson", "03", str(c), "--csv", str(tmp_path / "all.csv"),
                    "--json", str(tmp_path / "all.json"), "--quiet")
    assert whole.returncode == 0, whole.stderr
    sizes = []
    for i in (1, 2, 3):
        proc = run_cli("grade", "--lesson", "03", str(c), "--shard", f"{i}/3", "--quiet",
                       "--json", str(tmp_path / f"part{i}.json"))
        assert proc.returncode == 0, proc.stderr
        sizes.append(len(json.loads((tmp_path / f"part{i}.json").read_text())))
    assert sum(sizes) == 7 and max(sizes) < 7
    proc = run_cli("merge", *[str(tmp_path / f"part{i}.json") for i in (1, 2, 3)],
                   "--csv", str(tmp_path / "m.csv"), "--json", str(tmp_path / "m.json"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "m.csv").read_text() == (tmp_path / "all.csv").read_text()

    def timeless(path: Path) -> dict:
        found = json.loads(path.read_text())
        for entry in found.values():
            entry.pop("execution_time")
        return found

    merged, unsharded = timeless(tmp_path / "m.json"), timeless(tmp_path / "all.json")
    assert list(merged) == list(unsharded) and merged == unsharded
    # a part given twice is refused, never merged silently
    proc = run_cli("merge", str(tmp_path / "part1.json"), str(tmp_path / "part1.json"),
                   "--csv", str(tmp_path / "m2.csv"))
    if sizes[0]:
        assert proc.returncode == 2 and "in both" in proc.stderr
    parts = merge_parts([tmp_path / f"part{i}.json" for i in (1, 2, 3)])
    assert len(parts.entries) == 7
