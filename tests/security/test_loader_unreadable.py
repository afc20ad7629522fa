"""Issue #18 item 11: what `accessgraph load` cannot read is an error naming it, for a real non-root user.

Run as root (CI containers), permissions would not deny anything, so the CLI runs without the capabilities
that let root ignore file modes (tests/support/unprivileged.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.samples import gaad_a, gaad_b, write_json
from tests.support.unprivileged import obeying_file_modes

ROOT = Path(__file__).resolve().parents[2]
CLI = "import sys; from service.cli import main; sys.exit(main(sys.argv[1:]))"


def run_as_non_root(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": "/tmp", "NEO4J_URI": "bolt://127.0.0.1:1"}
    command = obeying_file_modes([sys.executable, "-c", CLI, *map(str, args)])
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd="/", timeout=120, check=False)


@pytest.fixture
def folder() -> Iterator[Path]:
    """A load folder `nobody` can enter (pytest's temp root is private to the user running the tests)."""
    base = Path(tempfile.mkdtemp(prefix="accessgraph-load-"))
    base.chmod(0o755)
    write_json(base / "gaad-111111111111.json", gaad_a()).chmod(0o644)
    yield base
    for path in (base, *base.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(base)


def test_the_readable_folder_loads_as_non_root(folder: Path) -> None:
    result = run_as_non_root("load", "--dry-run", "-q", folder)
    assert result.returncode == 0, result.stderr


def test_an_unreadable_subfolder_is_an_error_not_skipped(folder: Path) -> None:
    secret = folder / "team-b"
    secret.mkdir()
    write_json(secret / "gaad-222222222222.json", gaad_b()).chmod(0o644)
    secret.chmod(0o000)
    result = run_as_non_root("load", "--dry-run", "-q", folder)
    assert result.returncode == 2
    assert result.stderr == f"accessgraph: error: {secret}: cannot read folder: Permission denied\n"


def test_an_unreadable_file_is_an_error_naming_it(folder: Path) -> None:
    (folder / "gaad-111111111111.json").chmod(0o000)
    result = run_as_non_root("load", "--dry-run", "-q", folder)
    assert result.returncode == 2
    assert result.stderr.startswith(f"accessgraph: error: {folder / 'gaad-111111111111.json'}: cannot read")
    assert result.stderr.count("\n") == 1


def test_a_folder_of_broken_links_names_the_first_link(folder: Path) -> None:
    (folder / "gaad-111111111111.json").unlink()
    (folder / "gaad-333333333333.json").symlink_to("/nonexistent/gaad.json")
    result = run_as_non_root("load", "--dry-run", "-q", folder)
    assert result.returncode == 2
    assert result.stderr == (
        f"accessgraph: error: {folder / 'gaad-333333333333.json'}: broken symbolic link (to /nonexistent/gaad.json)\n"
    )
