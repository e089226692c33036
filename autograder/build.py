"""``autograder build``: every file a student receives, generated from ``solutions/``.

A solution marks each task with nbgrader's markers, under a comment naming the TODO::

    # TODO 1: return C[X], the rows of C picked by the indices in X
    # Hint: indexing with a tensor of indices keeps the shape of the indices.
    ### BEGIN SOLUTION
    return C[X]
    ### END SOLUTION

The skeleton keeps everything but the marked region, which becomes
``raise NotImplementedError("lesson 03, TODO 1: return C[X], ...")``. A solution names
the functions later lessons build on in a module-level tuple, ``__given__ =
("build_vocab",)``; those functions alone (with the module's imports and the private
helpers they call) are written to ``autograder/given/<module>.py``, so the checks and
later lessons have them even where ``solutions/`` is not handed out, and no lesson's
other answers are given away.

Generated files are committed; ``build --check`` fails when any is out of date. A
skeleton the student has edited is never overwritten without ``--force`` (which keeps a
backup): ``.autograder-build.json`` records what build last wrote.
"""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder import REPO_ROOT
from autograder.lessons import TODO_LINE

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
RECORD = ".autograder-build.json"

GIVEN_NAME = "__given__"


class BuildError(ValueError):
    """A solution file breaks the marker conventions."""


@dataclass(frozen=True)
class Region:
    todo: int
    text: str
    begin: int  # line index of BEGIN
    end: int  # line index of END
    indent: str
    comment: tuple[int, int]  # line span [start, stop) of the TODO comment


def _todo_comment(lines: list[str], begin: int, where: str) -> tuple[int, str, tuple[int, int]]:
    i = begin - 1
    while i >= 0 and lines[i].strip().startswith("#"):
        m = TODO_LINE.match(lines[i])
        if m:
            text = m.group(2)
            stop = i + 1
            while stop < begin and lines[stop].strip().startswith("#   "):
                text += " " + lines[stop].strip()[1:].strip()
                stop += 1
            return int(m.group(1)), text, (i, stop)
        i -= 1
    raise BuildError(f"{where}:{begin + 1}: {BEGIN} needs a '# TODO k: what to do' comment "
                     "just above it")


def parse_regions(source: str, where: str) -> list[Region]:
    lines = source.splitlines()
    regions: list[Region] = []
    begin = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped == BEGIN:
            if begin is not None:
                raise BuildError(f"{where}:{i + 1}: {BEGIN} inside another solution region")
            begin = i
        elif stripped == END:
            if begin is None:
                raise BuildError(f"{where}:{i + 1}: {END} without {BEGIN}")
            indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
            if not indent:
                raise BuildError(f"{where}:{begin + 1}: solution regions belong inside functions")
            todo, text, comment = _todo_comment(lines, begin, where)
            regions.append(Region(todo, text, begin, i, indent, comment))
            begin = None
    if begin is not None:
        raise BuildError(f"{where}:{begin + 1}: {BEGIN} is never closed by {END}")
    if not regions:
        raise BuildError(f"{where}: no solution regions")
    numbers = sorted({r.todo for r in regions})
    if numbers != list(range(1, len(numbers) + 1)):
        raise BuildError(f"{where}: TODO numbers must run 1..n, found {numbers}")
    return regions


def _figure_lines(source: str, where: str) -> set[int]:
    """Line indexes of the ``__figures__`` table and the functions it names (with the
    blank lines before them): build-time code that a skeleton does not show."""
    table = figure_table(source, where)
    if not table:
        return set()
    lines = source.splitlines()
    drop: set[int] = set()
    for node in ast.parse(source).body:
        named = isinstance(node, ast.FunctionDef) and node.name in table.values()
        assigned = (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id == FIGURES_NAME)
        if named or assigned:
            start = node.lineno - 1
            while start > 0 and (not lines[start - 1].strip()
                                 or lines[start - 1].startswith("#")):  # top-level comments
                start -= 1
            drop.update(range(start, node.end_lineno))
    return drop


def make_skeleton(source: str, lesson: str, where: str) -> str:
    """The student's file: each solution region replaced by a NotImplementedError."""
    hidden = _figure_lines(source, where)
    lines = [line if i not in hidden else None for i, line in enumerate(source.splitlines())]
    out: list[str | None] = []
    pos = 0
    for region in parse_regions(source, where):
        out.extend(lines[pos:region.begin])
        message = f"lesson {lesson}, TODO {region.todo}: {region.text}"
        out.append(f"{region.indent}raise NotImplementedError({message!r})")
        pos = region.end + 1
    out.extend(lines[pos:])
    out = [line for line in out if line is not None]
    if 'if __name__ == "__main__":' not in source:  # `python lessons/NN/x.py` says what to run
        out += ["", "", 'if __name__ == "__main__":',
                '    print("Fill in the TODOs of this file, then check them from the course folder "',
                f'          "with:  pytest lessons/{lesson}")']
    return "\n".join(out) + "\n"


def given_names(source: str, where: str) -> tuple[str, ...]:
    """The functions a solution gives to later lessons (its ``__given__`` tuple)."""
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == GIVEN_NAME):
            try:
                names = ast.literal_eval(node.value)
            except ValueError:
                names = None
            if not (isinstance(names, tuple) and all(isinstance(n, str) for n in names)):
                raise BuildError(f"{where}:{node.lineno}: {GIVEN_NAME} must be a tuple of "
                                 "function names")
            return names
    return ()


def make_given(source: str, rel: str) -> str:
    """The functions of ``__given__`` for later lessons: the module's imports, those
    functions and the private helpers they call, markers and TODO comments removed."""
    lines = source.splitlines()
    drop: set[int] = set()
    for region in parse_regions(source, rel):
        drop.update({region.begin, region.end, *range(*region.comment)})
    tree = ast.parse(source)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    wanted = list(given_names(source, rel))
    missing = [name for name in wanted if name not in functions]
    if missing:
        raise BuildError(f"solutions/{rel}: {GIVEN_NAME} names no function {missing}")
    keep: set[str] = set()
    while wanted:  # the given functions and the module's functions they call
        name = wanted.pop()
        if name in keep:
            continue
        keep.add(name)
        wanted += [n.id for n in ast.walk(functions[name])
                   if isinstance(n, ast.Name) and n.id in functions and n.id not in keep]
    used = {n.id for name in keep for n in ast.walk(functions[name]) if isinstance(n, ast.Name)}
    used |= {n.value.id for name in keep for n in ast.walk(functions[name])
             if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}

    def needed(node: ast.stmt) -> bool:  # an import the kept functions use
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            return True
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            return False
        return any((a.asname or a.name.split(".")[0]) in used for a in node.names)

    parts = []
    for node in tree.body:
        if needed(node) or (isinstance(node, ast.FunctionDef) and node.name in keep):
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            body = [line for i, line in enumerate(lines[start - 1:node.end_lineno], start - 1)
                    if i not in drop]
            parts.append("\n".join(body))
    public = ", ".join(sorted(n for n in keep if not n.startswith("_")))
    header = (f"# Generated by `autograder build` from solutions/{rel}: do not edit.\n"
              f'"""The reference {public} of lesson {rel[:2]}, for the lessons that build on it."""\n')
    imports = [p for p in parts if p.startswith(("import ", "from "))]
    defs = [p for p in parts if p not in imports]
    return header + "\n" + "\n".join(imports) + "\n\n\n" + "\n\n\n".join(defs) + "\n"


def outputs(root: Path = REPO_ROOT) -> dict[str, str]:
    """Every generated text file: path relative to ``root`` -> content."""
    solutions = root / "solutions"
    if not solutions.is_dir():
        raise BuildError(f"{solutions} does not exist: build needs the reference solutions")
    result: dict[str, str] = {}
    for path in sorted(solutions.glob("[0-9][0-9]/*.py")):
        if path.name.startswith(("_", "test_")):
            continue
        rel = f"{path.parent.name}/{path.name}"
        source = path.read_text(encoding="utf-8")
        result[f"lessons/{rel}"] = make_skeleton(source, path.parent.name, f"solutions/{rel}")
        if given_names(source, f"solutions/{rel}"):
            target = f"autograder/given/{path.name}"
            if target in result:
                raise BuildError(f"two solutions give a module named {path.name}")
            result[target] = make_given(source, rel)
    return result


# ----------------------------------------------------------------------------- figures

FIGURES_NAME = "__figures__"


@dataclass(frozen=True)
class FigureSpec:
    target: str  # path relative to the repo root: lessons/NN/<file name>
    solution: str  # solutions/<this>
    function: str  # a function of the solution, taking no argument, returning a Figure


def figure_table(source: str, where: str) -> dict[str, str]:
    """A solution's ``__figures__``: README figure file name -> the function drawing it."""
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == FIGURES_NAME):
            try:
                table = ast.literal_eval(node.value)
            except ValueError:
                table = None
            if not (isinstance(table, dict) and all(
                    isinstance(k, str) and isinstance(v, str) and "/" not in k
                    for k, v in table.items())):
                raise BuildError(f"{where}:{node.lineno}: {FIGURES_NAME} must map file names "
                                 "to function names")
            return table
    return {}


def figure_specs(root: Path = REPO_ROOT) -> list[FigureSpec]:
    """Every lesson figure that ``__figures__`` tables of the solutions declare."""
    specs = []
    for path in sorted((root / "solutions").glob("[0-9][0-9]/*.py")):
        rel = f"{path.parent.name}/{path.name}"
        for name, function in figure_table(path.read_text(encoding="utf-8"), rel).items():
            specs.append(FigureSpec(f"lessons/{path.parent.name}/{name}", rel, function))
    return specs


def draw_figure(spec: FigureSpec, root: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from autograder.runtime import load_module

    mod = load_module(root / "solutions" / spec.solution, f"_figure_{Path(spec.solution).stem}")
    fig = getattr(mod, spec.function)()
    fig.savefig(root / spec.target, dpi=72, metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)


# ----------------------------------------------------------------------------- build

def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class BuildReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # --check: out of date
    kept: list[str] = field(default_factory=list)  # edited by hand, not overwritten
    backups: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # figures that could not be drawn


NOTEBOOK_CONFIG = ".nbgrader/nbgrader_config.py"


def build(root: Path = REPO_ROOT, check: bool = False, force: bool = False,
          figures: bool = False, notebooks: bool | None = None) -> BuildReport:
    """Regenerate (or with ``check``, only compare) every generated file under ``root``.

    ``notebooks``: also the lesson notebooks and the README's notebook links
    (:mod:`autograder.notebooks.build`); by default where the course has its nbgrader
    configuration (``.nbgrader/nbgrader_config.py``)."""
    report = BuildReport()
    wanted = outputs(root)
    if notebooks is None:
        notebooks = (root / NOTEBOOK_CONFIG).is_file()
    if notebooks:
        from autograder.notebooks.build import notebook_outputs

        extra, problems = notebook_outputs(root)
        wanted.update(extra)
        report.problems.extend(problems)
    record_path = root / RECORD
    record = json.loads(record_path.read_text()) if record_path.is_file() else {}
    # the record serves to spot a student's edits: README.md (whose notebook links build
    # writes) is edited by hand too, so it stays out
    new_record = {rel: _sha(text) for rel, text in wanted.items() if rel != "README.md"}
    for rel, text in wanted.items():
        target = root / rel
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            report.unchanged.append(rel)
            continue
        if check:
            report.stale.append(rel)
            continue
        edited = (current is not None and rel.startswith("lessons/")
                  and _sha(current) != record.get(rel))
        if edited and not force:
            report.kept.append(rel)
            new_record[rel] = record.get(rel, "")
            continue
        if edited:
            backup = target.with_name(f"{target.name}.{time.strftime('%Y%m%d-%H%M%S')}.bak")
            shutil.copy2(target, backup)
            report.backups.append(str(backup.relative_to(root)))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        report.written.append(rel)
    for old in sorted((root / "autograder" / "given").glob("*.py")):
        rel = f"autograder/given/{old.name}"
        if old.name != "__init__.py" and rel not in wanted:
            if check:
                report.stale.append(rel)
            else:
                old.unlink()
                report.written.append(f"{rel} (removed)")
    record_text = json.dumps(new_record, indent=1, sort_keys=True) + "\n"
    if check:
        current = record_path.read_text() if record_path.is_file() else None
        if current != record_text:
            report.stale.append(RECORD)
    elif not record_path.is_file() or record_path.read_text() != record_text:
        record_path.write_text(record_text)
    for spec in figure_specs(root):
        target = root / spec.target
        if check:
            if not target.is_file():
                report.stale.append(spec.target)
        elif figures or not target.is_file():
            from autograder.data import DataError

            try:
                draw_figure(spec, root)
            except DataError as exc:
                report.problems.append(f"{spec.target} not drawn: {exc}")
                continue
            report.written.append(spec.target)
    return report
