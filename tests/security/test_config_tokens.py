"""Bearer tokens fail closed: a token setting that is configured but yields no token refuses to start."""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from service.api.app import create_app
from service.api.security import TOKENS, TOKENS_FILE, load_tokens
from service.cli import main
from service.errors import InputError
from tests.support.unprivileged import obeying_file_modes

GOOD = "0123456789abcdef-good-token"


def _file(tmp_path: Path, text: str, mode: int = 0o600) -> str:
    path = tmp_path / "tokens"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return str(path)


@pytest.mark.parametrize("value", ["", " , ,", ",", "   "])
def test_a_tokens_setting_without_a_token_is_refused_naming_it(value: str) -> None:
    with pytest.raises(InputError, match=f"^{TOKENS} is set but holds no token"):
        load_tokens({TOKENS: value})


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "# rotate monthly\n", "  # indented comment\n\n   \n"],
    ids=["empty", "blank-lines", "comment", "comments-and-blanks"],
)
def test_a_token_file_without_a_token_is_refused_naming_setting_and_file(tmp_path: Path, text: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(InputError, match="holds no token") as refused:
        load_tokens({TOKENS_FILE: path})
    assert TOKENS_FILE in str(refused.value) and path in str(refused.value)


def test_a_token_file_setting_naming_no_file_is_refused() -> None:
    with pytest.raises(InputError, match=f"^{TOKENS_FILE} is set but names no file"):
        load_tokens({TOKENS_FILE: " "})


def test_an_empty_setting_is_refused_even_beside_one_with_tokens(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=TOKENS_FILE):
        load_tokens({TOKENS: GOOD, TOKENS_FILE: _file(tmp_path, "# none yet\n")})


def test_a_missing_token_file_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "absent"
    with pytest.raises(InputError, match="No such file") as refused:
        load_tokens({TOKENS_FILE: str(missing)})
    assert TOKENS_FILE in str(refused.value) and str(missing) in str(refused.value)


def test_a_token_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the API token file"):
        load_tokens({TOKENS_FILE: str(tmp_path)})


def test_an_unreadable_token_file_is_refused() -> None:
    """Root reads any file: the probe runs obeying file modes (tests/support/unprivileged.py)."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        folder.chmod(0o711)  # others may reach the file, not list the folder
        path = Path(_file(folder, GOOD + "\n", mode=0o000))
        probe = (
            "from service.api.security import load_tokens; from service.errors import InputError\n"
            f"try: load_tokens({{'{TOKENS_FILE}': '{path}'}})\n"
            "except InputError as exc: print(exc)\n"
        )
        result = subprocess.run(
            obeying_file_modes([sys.executable, "-c", probe]), capture_output=True, text=True, check=False, cwd="/"
        )
    assert result.returncode == 0, result.stderr
    assert f"{TOKENS_FILE}: cannot read the API token file {path}: Permission denied" in result.stdout


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666], ids=lambda mode: f"{mode:04o}")
def test_a_token_file_others_can_write_is_refused(tmp_path: Path, mode: int) -> None:
    with pytest.raises(InputError, match=f"writable by other users \\(mode {mode:04o}\\); run `chmod go-w"):
        load_tokens({TOKENS_FILE: _file(tmp_path, GOOD + "\n", mode=mode)})


def test_a_world_readable_token_file_is_used_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Kubernetes and Docker mount secrets 0644/0444 in the container: refusing them would break deployments."""
    with caplog.at_level(logging.WARNING, logger="accessgraph"):
        assert load_tokens({TOKENS_FILE: _file(tmp_path, f"# ops\n{GOOD}\n", mode=0o644)}) == (GOOD,)
    assert "readable by every local user (mode 0644)" in caplog.text


def test_tokens_from_both_settings_are_combined(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    other = "fedcba9876543210-other-token"
    assert load_tokens({TOKENS: f" {GOOD} ,", TOKENS_FILE: _file(tmp_path, other)}) == (GOOD, other)
    assert caplog.text == ""


def test_no_setting_means_no_authentication() -> None:
    assert load_tokens({}) == ()


def test_serve_refuses_to_start_on_an_empty_token_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(args))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    monkeypatch.setenv(TOKENS, " , ,")
    monkeypatch.delenv(TOKENS_FILE, raising=False)
    assert main(["serve"]) == 2
    assert started == []
    assert f"{TOKENS} is set but holds no token" in capsys.readouterr().err


def test_the_app_refuses_to_build_on_a_comment_only_token_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKENS, raising=False)
    monkeypatch.setenv(TOKENS_FILE, _file(tmp_path, "# tokens go here\n"))
    with pytest.raises(InputError, match="holds no token"):
        create_app()


def test_graphql_without_a_token_is_refused_when_a_token_file_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKENS, raising=False)
    monkeypatch.setenv(TOKENS_FILE, _file(tmp_path, f"# ops\n{GOOD}\n"))
    client = TestClient(create_app())  # no lifespan: authentication answers before any database is asked
    assert client.post("/graphql", json={"query": "{ __typename }"}).status_code == 401
    assert client.get("/readyz").status_code == 401
