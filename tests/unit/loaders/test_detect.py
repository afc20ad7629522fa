"""Finding and recognising input files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from loaders.detect import expand_paths, json_values, read_input
from service.errors import InputError
from tests.support.samples import gaad_a, organization, write_json


def test_one_document_or_several_back_to_back() -> None:
    assert json_values('{"a": 1}', "f") == [{"a": 1}]
    assert json_values('{"a": 1}\n{"b": 2}{"c": 3}\n', "f") == [{"a": 1}, {"b": 2}, {"c": 3}]


@pytest.mark.parametrize(("text", "expected"), [("", "empty file"), ("  \n", "empty file"),
                                                ('{"a": ', "not JSON"), ("[" * 100_000, "not JSON")])
def test_not_json(text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        json_values(text, "f.json")


def test_kinds_by_content(tmp_path: Path) -> None:
    gaad = write_json(tmp_path / "anything.txt", gaad_a())
    org = write_json(tmp_path / "org.json", organization())
    pages = tmp_path / "pages.json"
    pages.write_text(json.dumps({"UserDetailList": []}) + json.dumps({"RoleDetailList": []}))
    listed = write_json(tmp_path / "listed.json", [{"UserDetailList": []}, {"Policies": []}])
    assert [read_input(p).kind for p in (gaad, org, pages, listed)] == ["gaad", "organization", "gaad", "gaad"]


@pytest.mark.parametrize("value", [{"Users": []}, [], [1], "text", [{"UserDetailList": []}, {"x": 1}]])
def test_unrecognised_content_names_the_file(tmp_path: Path, value: object) -> None:
    path = write_json(tmp_path / "odd.json", value)
    with pytest.raises(InputError, match=r"odd\.json: neither GAAD"):
        read_input(path)


def test_folders_expand_to_sorted_json_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    b = write_json(tmp_path / "sub" / "b.json", {})
    a = write_json(tmp_path / "a.json", {})
    (tmp_path / "notes.txt").write_text("ignored")
    assert expand_paths([tmp_path, a]) == [a, b]


def test_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        expand_paths([tmp_path / "nope.json"])
    with pytest.raises(InputError, match=r"no \.json files"):
        expand_paths([tmp_path])


def test_unreadable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bin.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match=r"bin\.json"):
        read_input(path)


def test_a_broken_symbolic_link_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "gaad-111111111111.json").symlink_to(tmp_path / "gone" / "gaad.json")
    with pytest.raises(InputError, match=r"gaad-111111111111\.json: broken symbolic link"):
        expand_paths([tmp_path])
    with pytest.raises(InputError, match=r"gaad-111111111111\.json: broken symbolic link"):
        expand_paths([tmp_path / "gaad-111111111111.json"])


def test_symbolic_links_to_folders_are_followed_once(tmp_path: Path) -> None:
    load, real = tmp_path / "load", tmp_path / "real"
    load.mkdir()
    real.mkdir()
    a = write_json(real / "a.json", {})
    (load / "linked").symlink_to(real)
    (real / "loop").symlink_to(load)
    assert expand_paths([load]) == [load / "linked" / a.name]


def test_an_unreadable_subfolder_is_an_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_json(tmp_path / "a.json", {})
    secret = tmp_path / "secret"
    secret.mkdir()
    write_json(secret / "b.json", {})
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:  # what a non-root user gets for a folder mode 0700 owned by someone else
        if Path(path) == secret:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(InputError, match=r"secret: cannot read folder: Permission denied"):
        expand_paths([tmp_path])


def test_a_path_that_cannot_be_looked_at_is_not_called_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write_json(tmp_path / "a.json", {})
    real_stat = Path.stat

    def stat(self: Path, *, follow_symlinks: bool = True) -> os.stat_result:
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, follow_symlinks=follow_symlinks)

    monkeypatch.setattr(Path, "stat", stat)
    with pytest.raises(InputError, match=r"a\.json: cannot read: Permission denied"):
        expand_paths([target])
