"""The repository's address, written once in ``pyproject.toml`` ([project.urls]).

Everything that links to the repository (the notebooks' setup cell, the README's
"Open in Colab" links, image links in the notebooks) takes it from here at build time.
"""

from __future__ import annotations

import re
from pathlib import Path

from autograder.errors import AutograderError

URL_KEY = "Repository"
BRANCH = "main"


class ProjectError(AutograderError, ValueError):
    """pyproject.toml does not name the repository."""


def repository_url(root: Path) -> str:
    """``[project.urls] Repository`` of ``root/pyproject.toml``, without a trailing slash."""
    text = (Path(root) / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib

        url = tomllib.loads(text).get("project", {}).get("urls", {}).get(URL_KEY)
    except ModuleNotFoundError:  # Python 3.10: the one line is enough
        m = re.search(rf'^\s*{URL_KEY}\s*=\s*"([^"]+)"', text, re.MULTILINE)
        url = m.group(1) if m else None
    if not url:
        raise ProjectError(f"pyproject.toml has no [project.urls] {URL_KEY} = \"https://...\"")
    return url.rstrip("/")


def github_path(url: str) -> str:
    """``owner/name`` of a GitHub URL."""
    m = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)(?:\.git)?", url)
    if not m:
        raise ProjectError(f"{url} is not a GitHub repository URL (https://github.com/owner/name)")
    return m.group(1)


def colab_url(url: str, rel: str) -> str:
    """Colab's address for the notebook at ``rel`` (a path in the repository)."""
    return f"https://colab.research.google.com/github/{github_path(url)}/blob/{BRANCH}/{rel}"


def raw_url(url: str, rel: str) -> str:
    """The raw file at ``rel``, e.g. an image a notebook shows."""
    return f"https://raw.githubusercontent.com/{github_path(url)}/{BRANCH}/{rel}"


def pip_spec(url: str) -> str:
    """What ``pip install`` takes to install the course from the repository."""
    return f"git+{url}.git"
