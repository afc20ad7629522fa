"""Find the input files and recognise each by content: a GAAD file or an Organizations snapshot."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from loaders.fields import Where, kind_of
from loaders.gaad import is_gaad_page
from loaders.organizations import is_organization_snapshot
from service.errors import InputError

InputKind = Literal["gaad", "organization"]


@dataclass(frozen=True, slots=True)
class InputFile:
    source: str
    kind: InputKind
    values: tuple[object, ...]  # the JSON values in the file, in order (pages, or one snapshot)


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given, folders as every `*.json` below them (sorted, so loads are repeatable)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                raise InputError(f"{path}: folder has no .json files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file)
    return list(unique.values())


def read_input(path: Path) -> InputFile:
    """Read and recognise one file.

    Raises:
        InputError: unreadable, not JSON, or neither GAAD nor an Organizations snapshot.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read: {exc}") from exc
    values = json_values(text, source)
    return InputFile(source, detect(values, source), tuple(values))


def json_values(text: str, source: str) -> list[object]:
    """Every JSON value in `text`: one document, or several written back to back (paginated output)."""
    decoder = json.JSONDecoder()
    values: list[object] = []
    position, end = 0, len(text)
    while True:
        while position < end and text[position].isspace():
            position += 1
        if position >= end:
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}: not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        except RecursionError:
            raise InputError(f"{source}: not JSON this loader can read: nested too deeply") from None
        values.append(value)
    if not values:
        raise InputError(f"{source}: empty file")
    return values


def detect(values: Sequence[object], source: str) -> InputKind:
    pages: list[object] = []
    for value in values:
        pages.extend(value if isinstance(value, list) else [value])
    if len(values) == 1 and is_organization_snapshot(values[0]):
        return "organization"
    if pages and all(is_gaad_page(page) and not is_organization_snapshot(page) for page in pages):
        return "gaad"
    first = pages[0] if pages else values[0]
    raise Where(source).error(
        f"neither GAAD output (an object with UserDetailList, GroupDetailList, RoleDetailList, Policies) "
        f"nor an Organizations snapshot (an object with Organization, Roots, Accounts...): found {kind_of(first)}"
        + (f" with keys {sorted(first)[:5]}" if isinstance(first, dict) else "")
    )
