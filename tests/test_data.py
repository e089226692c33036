"""The dataset loader: verified on every use, clear when missing, never uses a bad copy."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from autograder import data

CONTENT = b"emma\nolivia\nava"


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A one-dataset manifest whose upstream is a local file:// URL, and an empty cache."""
    upstream = tmp_path / "upstream" / "toy.txt"
    upstream.parent.mkdir()
    upstream.write_bytes(CONTENT)
    ds = data.Dataset("toy", "toy.txt", upstream.as_uri(), hashlib.sha256(CONTENT).hexdigest(),
                      len(CONTENT))
    monkeypatch.setattr(data, "datasets", lambda: {"toy": ds})
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setattr(data, "cache_dir", lambda: cache)
    monkeypatch.delenv(data.ENV_DIR, raising=False)
    monkeypatch.delenv(data.ENV_OFFLINE, raising=False)
    return ds, cache, upstream


def test_download_is_verified_and_cached(toy):
    ds, cache, upstream = toy
    assert data.resolve("toy") == cache / "toy.txt"
    assert (cache / "toy.txt").read_bytes() == CONTENT
    upstream.unlink()  # no second download: the cached copy is used (and checked again)
    assert data.read_text("toy") == CONTENT.decode()


def test_env_dir_wins_and_a_bad_copy_there_is_refused(toy, tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    monkeypatch.setenv(data.ENV_DIR, str(folder))
    (folder / "toy.txt").write_bytes(CONTENT)
    assert data.resolve("toy") == folder / "toy.txt"
    (folder / "toy.txt").write_bytes(CONTENT.replace(b"ava", b"eve"))
    with pytest.raises(data.DataError, match="sha256 .* corrupted"):
        data.resolve("toy")


def test_truncated_cache_is_detected_moved_aside_and_replaced(toy):
    ds, cache, _ = toy
    (cache / "toy.txt").write_bytes(CONTENT[:-3])
    assert data.resolve("toy").read_bytes() == CONTENT
    assert (cache / "toy.txt.corrupt").read_bytes() == CONTENT[:-3]


def test_offline_and_missing_says_where_to_put_the_file(toy, monkeypatch):
    ds, cache, _ = toy
    monkeypatch.setenv(data.ENV_OFFLINE, "1")
    with pytest.raises(data.DataError) as info:
        data.resolve("toy")
    message = str(info.value)
    assert ds.url in message and str(cache / "toy.txt") in message and data.ENV_DIR in message


def test_failed_download_is_reported_and_nothing_is_left(toy):
    ds, cache, upstream = toy
    upstream.write_bytes(b"something else entirely")
    with pytest.raises(data.DataError, match="download"):
        data.resolve("toy")
    assert list(cache.iterdir()) == []


def test_explicit_path_is_checked_too(toy, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"x")
    with pytest.raises(data.DataError, match="bytes, expected"):
        data.resolve("toy", path=bad)


def test_real_manifest_and_the_shared_copies():
    names = data.dataset("names")
    assert names.size == 228145 and names.sha256.startswith("0a30b555")
    assert len(data.load_words()) == 32033
    assert len(data.read_text("shakespeare")) == 1115394


def test_cli_verify_and_where():
    def run(*a: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "autograder.cli", "data", *a],
                              capture_output=True, text=True)

    verify = run("verify")
    assert verify.returncode == 0, verify.stderr
    assert "names: ok" in verify.stdout and "shakespeare: ok" in verify.stdout
    where = run("where", "names")
    assert where.returncode == 0 and where.stdout.strip().endswith("names.txt")
    unknown = run("where", "nope")
    assert unknown.returncode == 1 and "unknown dataset" in unknown.stderr


def test_fetch_from_a_folder_copies_verified_files_into_the_cache(toy, tmp_path):
    ds, cache, upstream = toy
    assert data.copy_from("toy", upstream.parent) == cache / "toy.txt"
    assert (cache / "toy.txt").read_bytes() == CONTENT
    upstream.unlink()  # found from now on without COURSE_DATA_DIR or a download
    assert data.resolve("toy", download=False) == cache / "toy.txt"
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "toy.txt").write_bytes(CONTENT[:-1])
    with pytest.raises(data.DataError, match="truncated"):
        data.copy_from("toy", bad)


def test_a_check_without_download_does_not_claim_downloads_are_off(toy):
    with pytest.raises(data.DataError) as info:
        data.resolve("toy", download=False)
    assert "switched off" not in str(info.value)
    assert "autograder data fetch" in str(info.value)
