"""Lesson notebooks: present, in sync, free of solutions, executable, and graded by nbgrader.

For every lesson folder (so a new lesson cannot skip its notebooks):
* the source notebook (solutions/NN) and the student notebook (lessons/NN) exist, with
  valid nbgrader metadata: a solution cell per TODO and a test cell per TODO worth its
  checks' points;
* every source notebook executes headless with all check cells passing, every student
  notebook with its check cells failing by the TODO's NotImplementedError only
  (executed in parallel: kernel start-up and `import torch` dominate).
For one lesson: the nbgrader round trip in a temporary course, grading notebook
submissions in the sandbox, and a Colab-like run from a built wheel outside the repo.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder import REPO_ROOT
from autograder.markers import BEGIN, END, given_names, parse_regions
from support import LESSON_IDS, LESSONS, lesson_checks

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need the [nbgrader] extra")
nbclient = pytest.importorskip("nbclient", reason="the notebook tests need the [nbgrader] extra")
pytest.importorskip("nbgrader", reason="nbgrader needs Python 3.11 or newer")

each_lesson = pytest.mark.parametrize("info", LESSONS, ids=LESSON_IDS)
KERNEL_TIMEOUT = 600


def source_path(info) -> Path:
    return REPO_ROOT / "solutions" / info.number / f"{info.module}.ipynb"


def student_path(info) -> Path:
    return info.dir / f"{info.module}.ipynb"


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def todo_points(info) -> dict[int, int]:
    points: dict[int, int] = {}
    for c in lesson_checks(info):
        points[c.todo] = points.get(c.todo, 0) + c.points
    return points


# ----------------------------------------------------------------------------- structure

@each_lesson
def test_every_lesson_has_its_notebooks(info):
    for path in (source_path(info), student_path(info)):
        assert path.is_file(), f"{path.relative_to(REPO_ROOT)} is missing: run `autograder build`"
    source = nbformat.read(source_path(info), as_version=4)
    student = nbformat.read(student_path(info), as_version=4)
    nbformat.validate(source)
    nbformat.validate(student)
    points = todo_points(info)
    for nb in (source, student):
        ids = [c["id"] for c in nb.cells]
        assert len(ids) == len(set(ids)), "cell ids repeat"
        metas = [nbgrader_meta(c) for c in nb.cells if nbgrader_meta(c)]
        assert all(m["schema_version"] == 3 for m in metas)
        grade_ids = [m["grade_id"] for m in metas]
        assert len(grade_ids) == len(set(grade_ids)), "grade_ids repeat"
        tests = {m["grade_id"]: m["points"] for m in metas if m.get("grade")}
        assert tests == {f"check-todo{k}": p for k, p in points.items()}
        solutions = [m["grade_id"] for m in metas if m.get("solution")]
        todos = sorted({int(k) for g in solutions
                        for k in re.match(r"todo((?:\d+-)*\d+)-", g).group(1).split("-")})
        assert todos == sorted(points), solutions
        assert nb.cells[0]["id"] == "setup", "a student notebook starts with the setup cell"
    assert [c["id"] for c in source.cells] == [c["id"] for c in student.cells]
    assert "BEGIN SOLUTION" in json.dumps(source)


NEW_SOLUTION = '''"""Lesson 99: a made-up lesson."""

import torch

SCALE = 2


def _helper(x):
    return x


def double(x: torch.Tensor) -> torch.Tensor:
    """x times SCALE."""
    # TODO 1: multiply x by SCALE
    ### BEGIN SOLUTION
    y = _helper(x) * SCALE
    ### END SOLUTION
    # TODO 2: add one
    ### BEGIN SOLUTION
    y = y + 1
    ### END SOLUTION
    return y


def square(x: torch.Tensor) -> torch.Tensor:
    """x squared."""
    # TODO 3: square x
    ### BEGIN SOLUTION
    return x * x
    ### END SOLUTION
'''

NEW_CHECKS = '''"""Checks of lesson 99."""
import torch
from autograder.checking import check, expect_close

from autograder.contract import Contract

CONTRACT = Contract(functions={"double": "x", "square": "x"})


@check(todo=1, points=1)
def test_double_a(lesson):
    expect_close(lesson.double(torch.ones(2)), torch.full((2,), 3.0), "double")


@check(todo=2, points=2)
def test_double_b(lesson):
    expect_close(lesson.double(torch.zeros(2)), torch.ones(2), "double")


@check(todo=3, points=3)
def test_square(lesson):
    expect_close(lesson.square(torch.full((2,), 3.0)), torch.full((2,), 9.0), "square")
'''


def test_a_new_lesson_gets_its_notebooks(tmp_path):
    """Nothing names a lesson: a new lesson folder gets both notebooks and a Colab link,
    also with two TODOs in one function."""
    from autograder.build import build, figure_specs

    for spec in figure_specs(REPO_ROOT):  # the other lessons' figures are not the point here
        (tmp_path / spec.target).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / spec.target).write_bytes(b"")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / ".nbgrader", tmp_path / ".nbgrader",
                    ignore=shutil.ignore_patterns("*.db", "release", "submitted", "autograded",
                                                  "feedback", "downloaded", "__pycache__"))
    (tmp_path / "lessons" / "99").mkdir(parents=True)
    (tmp_path / "solutions" / "99").mkdir(parents=True)
    (tmp_path / "solutions" / "99" / "m.py").write_text(NEW_SOLUTION)
    (tmp_path / "lessons" / "99" / "test_m.py").write_text(NEW_CHECKS)
    (tmp_path / "lessons" / "99" / "README.md").write_text(
        "# Lesson 99\n\n![a figure](plot.png)\n\n## TODOs\n\nTODO 1, 2, 3: `pytest lessons/99`\n")
    report = build(tmp_path)
    assert report.problems == [], report.problems
    assert {"solutions/99/m.ipynb", "lessons/99/m.ipynb", "README.md"} <= set(report.written)
    assert "lessons/99/m.ipynb" in (tmp_path / "README.md").read_text()
    source = nbformat.read(tmp_path / "solutions" / "99" / "m.ipynb", as_version=4)
    ids = [c["id"] for c in source.cells]
    assert ids.index("todo1-2-double") < ids.index("check-todo1") < ids.index("check-todo2") \
        < ids.index("todo3-square") < ids.index("check-todo3")
    assert "raw.githubusercontent.com" in json.dumps(source)  # the README's image
    student = (tmp_path / "lessons" / "99" / "m.ipynb").read_text()
    assert "y + 1" not in student and "x * x" not in student and "SCALE = 2" in student
    assert student.count("raise NotImplementedError(todo_message())") == 3
    assert build(tmp_path, check=True).stale == []


FIGURE_SOURCE = '''
def plot(words):
    return words


def _draw():
    """The README's figure."""
    from autograder import data

    words = list(data.load_words())
    return plot(words)


def _draw_with(x):
    return plot(x)
'''


def test_figure_cells_come_from_the_solutions_figure_functions():
    from autograder.notebooks.source import figure_code

    assert figure_code(FIGURE_SOURCE, "_draw") == ("from autograder import data\n"
                                                   "words = list(data.load_words())\nplot(words)")
    assert figure_code(FIGURE_SOURCE, "_draw_with") is None  # it takes an argument
    assert figure_code(FIGURE_SOURCE, "_missing") is None


def _student_files() -> list[Path]:
    roots = [REPO_ROOT / "lessons", REPO_ROOT / "autograder" / "given"]
    return sorted(p for root in roots for p in root.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".png")


def _text_of(path: Path) -> str:
    if path.suffix == ".ipynb":  # the cells' text, not JSON's escapes
        nb = json.loads(path.read_text(encoding="utf-8"))
        return "\n".join("".join(c.get("source", [])) for c in nb["cells"])
    return path.read_text(encoding="utf-8")


def test_no_solution_reaches_students():
    """No solution marker, and no solution region's code, under lessons/ or given/
    (given/ holds, by design, the functions later lessons build on: __given__)."""
    files = {p: _text_of(p) for p in _student_files()}
    for path, text in files.items():
        for marker in (BEGIN, END):
            assert marker not in text, f"{path.relative_to(REPO_ROOT)} holds {marker!r}"
    for path in sorted((REPO_ROOT / "solutions").glob("[0-9][0-9]/*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        given = set(given_names(source, str(path)))
        functions = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
        for region in parse_regions(source, str(path)):
            body = [ln.strip() for ln in lines[region.begin + 1:region.end] if ln.strip()]
            owner = next((f.name for f in functions
                          if f.lineno <= region.begin + 1 <= (f.end_lineno or 0)), None)
            needle = "\n".join(body)
            for target, text in files.items():
                if target.name.startswith("test_"):
                    continue  # checks compute expected values in their own words
                if owner in given and target.is_relative_to(REPO_ROOT / "autograder" / "given"):
                    continue
                stripped = "\n".join(ln.strip() for ln in text.splitlines() if ln.strip())
                if len(body) == 1:
                    found = body[0] in stripped.splitlines()
                else:
                    found = needle in stripped
                assert not found, (f"the solution of {path.name} TODO {region.todo} appears in "
                                   f"{target.relative_to(REPO_ROOT)}")


# ----------------------------------------------------------------------------- execution

def execute(nb, cwd: Path, kernel_name: str = "python3") -> float:
    """Run every cell (errors recorded in the cells); the seconds it took."""
    start = time.perf_counter()
    client = nbclient.NotebookClient(nb, timeout=KERNEL_TIMEOUT, kernel_name=kernel_name,
                                     allow_errors=True,
                                     resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return time.perf_counter() - start


def errors(nb) -> dict[str, dict]:
    return {c["id"]: o for c in nb.cells if c["cell_type"] == "code"
            for o in c.get("outputs", []) if o["output_type"] == "error"}


def stream(nb, cell_id: str) -> str:
    cell = next(c for c in nb.cells if c["id"] == cell_id)
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o["output_type"] == "stream")


@pytest.fixture(scope="session")
def executed():
    """Every lesson's two notebooks, executed in parallel: {(number, kind): (nb, s)}."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    jobs = {}
    for info in LESSONS:
        for kind, path in (("source", source_path(info)), ("student", student_path(info))):
            if path.is_file():
                jobs[(info.number, kind)] = (nbformat.read(path, as_version=4), path.parent)
    start = time.perf_counter()
    # one more worker than cores: a kernel's start-up is partly waiting
    workers = max(2, min(len(jobs), (os.cpu_count() or 1) + 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        seconds = dict(zip(jobs, pool.map(lambda job: execute(*job), jobs.values())))
    total = time.perf_counter() - start
    each = ", ".join(f"{n} {kind} {s:.0f} s" for (n, kind), s in seconds.items())
    print(f"\nexecuted {len(jobs)} notebooks in {total:.1f} s with {workers} workers ({each})")
    return {key: (jobs[key][0], seconds[key]) for key in jobs}


@each_lesson
def test_source_notebook_passes_every_check(info, executed):
    nb, _ = executed[(info.number, "source")]
    assert errors(nb) == {}, {k: v["evalue"] for k, v in errors(nb).items()}
    points = sum(todo_points(info).values())
    assert f"lesson {info.number}: {points}/{points} points" in stream(nb, "summary")


@each_lesson
def test_student_notebook_fails_by_its_todos(info, executed):
    nb, _ = executed[(info.number, "student")]
    found = errors(nb)
    checks = {f"check-todo{k}" for k in todo_points(info)}
    assert checks <= set(found), f"check cells that did not fail: {checks - set(found)}"
    for cell_id, error in found.items():
        assert error["ename"] == "NotImplementedError", (cell_id, error["ename"], error["evalue"])
        assert re.match(rf"lesson {info.number}, TODO \d+: ", error["evalue"]), error["evalue"]
        text = "\n".join(error["traceback"])
        assert "autograder/" not in text, f"{cell_id} shows the course's traceback:\n{text}"


@pytest.mark.parametrize("name", ["first", "last"])
def test_check_cell_shows_the_hint_of_a_mistake(name, capsys):
    """A mutant of the catalogue, defined in a notebook-like namespace: its TODO's check
    cell prints the mutant's hint, and its error shows no traceback of the course."""
    from autograder.notebooks.cells import LessonChecks
    from support import load_mutants

    info = _round_trip_lesson()
    mutants = [(n, spec) for i, n, spec in load_mutants()
               if i.number == info.number and not spec.get("device") and not spec.get("slow")]
    _, spec = mutants[0 if name == "first" else -1]
    source = info.solution.read_text().replace(spec["old"], spec["new"])
    namespace: dict = {"__name__": "__notebook__"}
    exec(compile(source, "notebook-cells", "exec"), namespace)
    checks = LessonChecks(info.number, namespace)
    try:
        checks.run(todo=spec["todo"])
    except AssertionError as exc:
        rendered = "\n".join(exc._render_traceback_())
        assert "autograder/" not in rendered and "Traceback" not in rendered
    out = capsys.readouterr().out
    assert spec["hint"] in out, out
    assert f"lesson {info.number}, TODO {spec['todo']}: " in out


# ----------------------------------------------------------------------------- submissions

def _round_trip_lesson():
    """A small lesson with several TODOs and no slow checks (lesson order as tiebreak)."""
    fit = [info for info in LESSONS
           if len({c.todo for c in lesson_checks(info)}) >= 3
           and not any(c.info.slow for c in lesson_checks(info))]
    return min(fit, key=lambda info: len(lesson_checks(info)))


def filled(info) -> dict:
    """The student notebook with every solution cell filled from the source notebook."""
    source = nbformat.read(source_path(info), as_version=4)
    student = nbformat.read(student_path(info), as_version=4)
    by_id = {c["id"]: c for c in source.cells}
    for cell in student.cells:
        if nbgrader_meta(cell).get("solution"):
            cell["source"] = by_id[cell["id"]]["source"]
    return student


def solution_cells(nb) -> list:
    return [c for c in nb.cells if nbgrader_meta(c).get("solution")]


def variants(info) -> dict[str, tuple[dict, int]]:
    """Submissions and their expected scores: solution, untouched, a hang, a syntax error."""
    points = todo_points(info)
    total = sum(points.values())
    untouched = nbformat.read(student_path(info), as_version=4)
    hang = filled(info)
    hang_cell = solution_cells(hang)[1]
    hang_todo = int(re.match(r"todo(\d+)", hang_cell["id"]).group(1))
    body = hang_cell["source"].split("### BEGIN SOLUTION")[0].rstrip(" ")
    hang_cell["source"] = body + "    while True:\n        pass\n"
    broken = filled(info)
    broken_cell = solution_cells(broken)[-1]
    broken_todo = int(re.match(r"todo(\d+)", broken_cell["id"]).group(1))
    broken_cell["source"] += "\n    return ((\n"
    return {"alice": (filled(info), total), "bob": (untouched, 0),
            "carol": (hang, total - points[hang_todo]),
            "dave": (broken, total - points[broken_todo])}


def _nbgrader(*args: str, cwd: Path) -> str:
    exe = Path(sys.executable).with_name("nbgrader")
    proc = subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def test_nbgrader_round_trip(tmp_path):
    """The README's instructor commands in a copy of the course: release, collect,
    autograde, feedback, export; each submission gets its exact score."""
    info = _round_trip_lesson()
    course = tmp_path / "course"
    shutil.copytree(REPO_ROOT / ".nbgrader", course / ".nbgrader",
                    ignore=shutil.ignore_patterns("*.db", "release", "submitted", "autograded",
                                                  "feedback", "downloaded", "__pycache__"))
    (course / "solutions" / info.number).mkdir(parents=True)
    shutil.copy(source_path(info), course / "solutions" / info.number)
    here = course / ".nbgrader"
    nb_name = f"{info.module}.ipynb"
    _nbgrader("generate_assignment", info.number, cwd=here)
    released = here / "release" / info.number / nb_name
    assert released.read_bytes() == student_path(info).read_bytes(), \
        "nbgrader's release differs from the committed student notebook"
    assert sorted(p.name for p in released.parent.iterdir()) == [nb_name]
    archive = here / "downloaded" / info.number / "archive"
    archive.mkdir(parents=True)
    expected = variants(info)
    for student, (nb, _) in expected.items():
        nbformat.write(nb, archive / f"{student}_{nb_name}")
    _nbgrader("zip_collect", info.number, cwd=here)
    start = time.perf_counter()
    _nbgrader("autograde", info.number, "--Execute.timeout=10", cwd=here)
    print(f"\nnbgrader autograde of {len(expected)} submissions: "
          f"{time.perf_counter() - start:.1f} s")
    _nbgrader("generate_feedback", info.number, cwd=here)
    for student in expected:
        assert (here / "feedback" / student / info.number / f"{info.module}.html").is_file()
    _nbgrader("export", "--to", str(tmp_path / "grades.csv"), cwd=here)
    with open(tmp_path / "grades.csv", newline="") as f:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert scores == {student: float(score) for student, (_, score) in expected.items()}
    carol = nbformat.read(here / "autograded" / "carol" / info.number / nb_name, as_version=4)
    assert any(e["ename"] in ("CellTimeoutError", "KeyboardInterrupt")
               for e in errors(carol).values()), "the hanging TODO's cell should time out"


def test_notebook_submissions_graded_in_the_sandbox(tmp_path):
    """`autograder grade` takes the functions from a notebook's code cells, runs nothing
    outside the sandbox, and scores them like a module."""
    from autograder.grading.grade import GradeOptions, Grader, Sandbox
    from autograder.grading.intake import find_submissions

    info = _round_trip_lesson()
    expected = variants(info)
    del expected["carol"]  # a hang is the sandbox's own business (tests/test_adversarial.py)
    for student, (nb, _) in expected.items():
        nbformat.write(nb, tmp_path / f"{student}.ipynb")
    subs = find_submissions([tmp_path], info.module)
    assert sorted(s.student for s in subs) == sorted(expected)
    options = GradeOptions(jobs=2, timeout=30, total_timeout=120, protected=[tmp_path])
    with Sandbox(options) as sandbox:
        results = Grader(info, sandbox).grade_all(subs)
    scores = {r.student: r.score for r in results}
    assert scores == {student: score for student, (_, score) in expected.items()}
    bob = next(r for r in results if r.student == "bob")
    assert all(re.match(rf"NotImplementedError: lesson {info.number}, TODO \d+: ", r.message)
               for r in bob.results), [r.message for r in bob.results]


def test_nbgrader_submitted_folders_are_submissions(tmp_path):
    from autograder.grading.intake import find_submissions

    info = _round_trip_lesson()
    for student in ("alice", "bob"):
        folder = tmp_path / "submitted" / student / info.number
        folder.mkdir(parents=True)
        shutil.copy(source_path(info), folder)
        (folder / "timestamp.txt").write_text("2026-01-01 00:00:00")
    subs = find_submissions([tmp_path / "submitted"], info.module)
    assert [s.student for s in subs] == ["alice", "bob"]
    assert all(s.error is None and b"\ndef " in s.content for s in subs)


def test_module_source_keeps_definitions_only():
    from autograder.notebooks.extract import module_source

    nb = {"cells": [
        {"cell_type": "code", "source": "%matplotlib inline\nimport torch\nSEED = 3\n"
                                        "N = torch.zeros(3)\nprint('hi')\n"},
        {"cell_type": "markdown", "source": "def nope(): pass"},
        {"cell_type": "code", "source": ["def f(x):\n", "    return x + SEED\n"]},
        {"cell_type": "code", "source": "def g(x):\n    return x +\n\ndef h():\n  pass\n"},
    ]}
    source = module_source(json.dumps(nb).encode(), "n.ipynb")
    namespace: dict = {}
    exec(compile(source, "n.py", "exec"), namespace)
    assert namespace["f"](1) == 4 and "N" not in namespace and "nope" not in namespace
    with pytest.raises(SyntaxError, match="code cell 3 of n.ipynb has a syntax error"):
        namespace["h"]()


# ----------------------------------------------------------------------------- Colab

def test_pyproject_packages_name_every_package():
    import tomllib

    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {".".join(p.relative_to(REPO_ROOT).parts)
                for p in (REPO_ROOT / "autograder").rglob("__init__.py") for p in [p.parent]}
    assert packages <= set(config["packages"]), packages - set(config["packages"])


def test_colab_like_run(tmp_path, monkeypatch):
    """A filled student notebook outside the repository, in a Python where the course
    is not installed: its setup cell installs the course (a wheel built here) and
    verifies the data from COURSE_DATA_DIR; then every check cell passes."""
    info = _round_trip_lesson()
    src = tmp_path / "src"
    for part in ("autograder", "lessons"):
        shutil.copytree(REPO_ROOT / part, src / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.ipynb", "*.png"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, src / name)
    (src / "data").mkdir()
    shutil.copy(REPO_ROOT / "data" / "manifest.json", src / "data")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", "-w", str(tmp_path / "dist"),
                    str(src)], check=True, capture_output=True, timeout=300)
    wheel = next((tmp_path / "dist").glob("*.whl"))

    # a fresh Python without the course, seeing this environment's other packages
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    probe = subprocess.run([str(python), "-c", "import autograder"], capture_output=True,
                           cwd=tmp_path)
    assert probe.returncode != 0, "the course must not be importable before the setup cell"
    kernels = tmp_path / "jupyter" / "kernels" / "colab"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "colab-like", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("COURSE_PIP_SOURCE", str(wheel))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    assert os.environ.get("COURSE_DATA_DIR"), "the test needs COURSE_DATA_DIR"

    work = tmp_path / "content"
    work.mkdir()
    nb = filled(info)
    nbformat.write(nb, work / f"{info.module}.ipynb")
    seconds = execute(nb, work, kernel_name="colab")
    print(f"\nColab-like run: {seconds:.1f} s")
    assert errors(nb) == {}, {k: "\n".join(v["traceback"]) for k, v in errors(nb).items()}
    assert Path(purelib, "autograder", "course_lessons", info.number).is_dir()
    points = sum(todo_points(info).values())
    assert f"lesson {info.number}: {points}/{points} points" in stream(nb, "summary")


def _shapes(source: dict) -> dict[str, tuple[bytes, str]]:
    """Notebook files as students' tools leave them, from the lesson-03 solution notebook:
    name -> (file bytes, "full" | "todo1-lost" | "zero")."""
    import copy

    def cells_of(nb):
        return nb["cells"]

    def dump(nb) -> bytes:
        return json.dumps(nb).encode("utf-8")

    shapes: dict[str, tuple[bytes, str]] = {}
    nb = copy.deepcopy(source)  # an answer cell split in two, a copied cell: one grade_id twice
    i = next(i for i, c in enumerate(cells_of(nb)) if c.get("id") == "todo2-embed")
    cells_of(nb).insert(i + 1, copy.deepcopy(cells_of(nb)[i]))
    cells_of(nb).insert(i, {"cell_type": "code", "metadata": copy.deepcopy(
        cells_of(nb)[i]["metadata"]), "source": "import math\n", "outputs": [],
        "execution_count": None})
    shapes["split_and_copied"] = (dump(nb), "full")
    nb = copy.deepcopy(source)  # metadata stripped, test cells deleted or made markdown
    for c in cells_of(nb):
        c["metadata"] = {}
    nb["cells"] = [c for c in cells_of(nb) if c.get("id") != "check-todo1"]
    for c in cells_of(nb):
        if c.get("id") == "check-todo2":
            c["cell_type"] = "markdown"
            c.pop("outputs", None)
            c.pop("execution_count", None)
    shapes["stripped_and_tests_gone"] = (dump(nb), "full")
    nb = copy.deepcopy(source)  # nbformat 4.0 without cell ids, as Colab saves it; a BOM
    nb["nbformat_minor"] = 0
    for c in cells_of(nb):
        c.pop("id", None)
    shapes["colab_v40_with_bom"] = (b"\xef\xbb\xbf" + dump(nb), "full")
    nb = copy.deepcopy(source)  # input() after a definition, IPython syntax on answer cells
    for c in cells_of(nb):
        text = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if c.get("id") == "todo1-init-embedding":
            c["source"] = "%%time\n" + text + "\nname = input('your name: ')\n"
        elif c.get("id") == "todo2-embed":
            c["source"] = "!pip install torch\n%matplotlib inline\n" + text + "\n%timeit 1 + 1\n"
    shapes["input_and_magics"] = (dump(nb), "full")
    nb = copy.deepcopy(source)  # a function that never returns: that TODO's checks time out
    for c in cells_of(nb):
        if c.get("id") == "todo1-init-embedding":
            text = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            c["source"] = text.replace('    """', "    while True:\n        pass\n    \"\"\"", 1)
    shapes["never_returns"] = (dump(nb), "todo1-lost")
    shapes["empty"] = (b"", "zero")
    shapes["cut_off"] = (dump(source)[:5000], "zero")
    return shapes


def test_notebooks_as_they_arrive_are_graded_fairly(tmp_path):
    """As they arrive: split and copied cells, stripped metadata, deleted or retyped
    test cells, nbformat 4.0 without ids and a BOM, input() after a definition, IPython
    syntax, a hang (only its checks are lost), an empty or cut-off file (0, named)."""
    from autograder.grading.grade import GradeOptions, Grader, Sandbox
    from autograder.grading.intake import find_submissions
    from autograder.lessons import get_lesson
    from autograder.runner import collect

    info = get_lesson("03")
    source = json.loads((REPO_ROOT / "solutions" / "03" / "embedding.ipynb").read_text())
    shapes = _shapes(source)
    for name, (data, _) in shapes.items():
        (tmp_path / f"{name}.ipynb").write_bytes(data)
    checks = collect(info.checks)
    total = sum(c.points for c in checks)
    expected = {"full": total, "zero": 0,
                "todo1-lost": total - sum(c.points for c in checks if c.todo == 1)}
    subs = find_submissions([tmp_path], info.module)
    options = GradeOptions(jobs=2, timeout=5, total_timeout=120, protected=[tmp_path])
    with Sandbox(options) as sandbox:
        results = {r.student: r for r in Grader(info, sandbox).grade_all(subs)}
    assert {name: r.score for name, r in results.items()} == {
        name: expected[kind] for name, (_, kind) in shapes.items()}
    for name in ("empty", "cut_off"):
        assert "not a Jupyter notebook" in (results[name].error or ""), results[name].error
    hung = [r for r in results["never_returns"].results if r.todo == 1]
    assert hung and all(r.status == "timeout" for r in hung)
