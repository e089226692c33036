"""Datasets: one loader that finds, downloads and verifies every file the course uses.

A dataset is resolved in this order (autograder/DESIGN.md, "Data"):
1. an explicit path given by the caller;
2. ``$COURSE_DATA_DIR/<filename>``;
3. the cache (``data/`` in a checkout, else ``~/.cache/makemore-autograded``);
4. a download from the upstream URL into the cache.
Every file is checked against the sha256 of ``data/manifest.json`` each time it is
resolved, so a corrupted or truncated copy is reported and never used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import AutograderError
from autograder import REPO_ROOT

MANIFEST = REPO_ROOT / "data" / "manifest.json"
if not MANIFEST.is_file():  # an installed course without a checkout (Colab): its packaged copy
    MANIFEST = REPO_ROOT / "autograder" / "course_data" / "manifest.json"
ENV_DIR = "COURSE_DATA_DIR"
ENV_OFFLINE = "COURSE_OFFLINE"


class DataError(AutograderError, RuntimeError):
    """A dataset is missing, corrupted or could not be downloaded."""


@dataclass(frozen=True)
class Dataset:
    name: str
    filename: str
    url: str
    sha256: str
    size: int
    description: str = ""


@functools.lru_cache(maxsize=None)
def datasets() -> dict[str, Dataset]:
    """The manifest: dataset name -> Dataset."""
    raw = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return {name: Dataset(name=name, **fields) for name, fields in raw.items()}


def dataset(name: str) -> Dataset:
    try:
        return datasets()[name]
    except KeyError:
        known = ", ".join(sorted(datasets()))
        raise DataError(f"unknown dataset {name!r}; the manifest lists: {known}") from None


ENV_CACHE = "COURSE_CACHE_DIR"


def cache_dir() -> Path:
    """Where downloads go: ``$COURSE_CACHE_DIR``, else the checkout's data/ folder, else a
    per-user cache."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE])
    local = MANIFEST.parent
    if local == REPO_ROOT / "data" and os.access(local, os.W_OK):
        return local
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "makemore-autograded"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _size_problem(ds: Dataset, path: Path, size: int) -> str:
    """Why a copy has the wrong size, in words with the fix: Windows line endings and
    extra blank lines at the end are named as such (the text is otherwise right)."""
    if size < ds.size:
        return "the file is truncated or is not the right file"
    if size <= 4 * ds.size + 4096:
        data = path.read_bytes()
        unix = data.replace(b"\r\n", b"\n")
        fixes = []
        if unix != data:
            fixes.append(("it has Windows (CRLF) line endings",
                          f"convert them with `dos2unix {path}` or `sed -i 's/\\r$//' {path}`"))
        if unix.endswith(b"\n\n"):
            fixes.append(("it ends with extra blank lines",
                          "delete the empty lines at its end"))
            unix = unix.rstrip(b"\n") + b"\n"
        if fixes and hashlib.sha256(unix).hexdigest() == ds.sha256:
            return ("the text is right but " + " and ".join(w for w, _ in fixes)
                    + "; " + "; ".join(f for _, f in fixes)
                    + " (or delete the file and let the course download it again)")
    return "the file is longer than the course's copy: it is not the right file"


def check_file(ds: Dataset, path: Path) -> str | None:
    """None if ``path`` is a good copy of ``ds``, else what is wrong with it."""
    if not path.is_file():
        return f"{path} does not exist"
    size = path.stat().st_size
    if size != ds.size:
        return f"{path} has {size} bytes, expected {ds.size}: " + _size_problem(ds, path, size)
    digest = sha256_of(path)
    if digest != ds.sha256:
        return f"{path} has sha256 {digest}, expected {ds.sha256}: the file is corrupted"
    return None


def _install(ds: Dataset, target: Path, write, what: str) -> None:
    """Write ``target`` through ``write(file)`` into a temporary file beside it, verify it
    against the manifest, then move it into place; nothing is left on failure."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{ds.filename}.")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        problem = check_file(ds, Path(tmp))
        if problem:
            raise DataError(f"{what} is not the expected file: {problem}")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _download(ds: Dataset, target: Path, timeout: float = 30.0) -> None:
    with urllib.request.urlopen(ds.url, timeout=timeout) as response:
        body = response.read(ds.size + 1)
    _install(ds, target, lambda f: f.write(body), f"the download from {ds.url}")


def resolve(name: str, path: str | os.PathLike | None = None, download: bool = True) -> Path:
    """The verified path of dataset ``name``; raises DataError with what to do otherwise."""
    ds = dataset(name)
    if path is not None:
        problem = check_file(ds, Path(path))
        if problem:
            raise DataError(f"{ds.filename}: {problem}")
        return Path(path)

    looked: list[str] = []
    env_dir = os.environ.get(ENV_DIR)
    if env_dir:
        candidate = Path(env_dir) / ds.filename
        problem = check_file(ds, candidate)
        if problem is None:
            return candidate
        if candidate.exists():  # a bad copy where the user pointed us: say so, never use it
            raise DataError(f"{ds.filename} in ${ENV_DIR}: {problem}. Replace it with the "
                            f"file from {ds.url}.")
        looked.append(f"${ENV_DIR} ({candidate})")

    cached = cache_dir() / ds.filename
    problem = check_file(ds, cached)
    if problem is None:
        return cached
    if cached.exists():
        bad = cached.with_name(cached.name + ".corrupt")
        os.replace(cached, bad)
        looked.append(f"the cache ({cached}: {problem}; moved aside to {bad.name})")
    else:
        looked.append(f"the cache ({cached})")

    offline = os.environ.get(ENV_OFFLINE, "") not in ("", "0")
    if download and not offline:
        try:
            _download(ds, cached)
            return cached
        except (OSError, urllib.error.URLError, DataError) as exc:
            reason = f"the download from {ds.url} failed ({exc})"
    elif offline:
        reason = f"downloads are switched off (${ENV_OFFLINE} is set)"
    else:
        reason = "it is not downloaded by this command (`autograder data fetch` downloads it)"
    raise DataError(
        f"dataset {name!r} ({ds.filename}) is not available: {reason}.\n"
        f"Looked in: {'; '.join(looked)}.\n"
        f"To fix it, download {ds.url}\n"
        f"and save it as {cached}\n"
        f"(or, with the file in a folder of your own, copy it in once with\n"
        f"  autograder data fetch --from FOLDER\n"
        f"or set {ENV_DIR}=FOLDER in every shell you use)."
    )


def read_text(name: str) -> str:
    """The verified contents of a text dataset."""
    return resolve(name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def load_words() -> tuple[str, ...]:
    """The 32033 names of names.txt, in file order (a tuple: callers cannot alter the cache)."""
    return tuple(read_text("names").splitlines())


def copy_from(name: str, folder: str | os.PathLike) -> Path:
    """Copy dataset ``name`` from ``folder`` into the cache after verifying it.

    Afterwards the loader finds it without ``$COURSE_DATA_DIR``, in every shell.
    Raises DataError when the file is missing there or is not the right file.
    """
    ds = dataset(name)
    source = Path(folder) / ds.filename
    problem = check_file(ds, source)
    if problem:
        raise DataError(f"{ds.filename}: {problem}")
    target = cache_dir() / ds.filename
    if target.resolve() == source.resolve():
        return target

    def copy(out) -> None:
        with open(source, "rb") as src:
            for block in iter(lambda: src.read(1 << 20), b""):
                out.write(block)

    _install(ds, target, copy, f"the copy of {ds.filename}")
    return target
