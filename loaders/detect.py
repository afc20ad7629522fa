"""Find the input files and recognise each by content: a GAAD file, an Organizations snapshot, a resource
snapshot, an IAM credential report (CSV) or an account security snapshot."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from loaders.credential_report import is_credential_report
from loaders.fields import Where, kind_of
from loaders.gaad import is_gaad_page
from loaders.organizations import is_organization_snapshot
from loaders.resources import is_resource_snapshot
from loaders.security import is_security_snapshot
from service.errors import InputError

InputKind = Literal["gaad", "organization", "resources", "credential-report", "security"]
# A folder is read for these; the credential report is the one CSV (AWS names it nothing: `collect` writes
# credential-report-<account>.csv).
_INPUT_SUFFIXES = (".json", ".csv")


@dataclass(frozen=True, slots=True)
class InputFile:
    source: str
    kind: InputKind
    values: tuple[object, ...]  # the JSON values in the file, in order (pages, or one snapshot); a CSV's text


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given, folders as every `*.json` and `*.csv` below them (sorted, so loads are repeatable).

    Raises:
        InputError: naming a path that does not exist, cannot be read (a folder or subfolder without
            permission, a broken symbolic link) or is a folder without any `.json` or `.csv` file.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        mode = _stat(path).st_mode
        if stat.S_ISDIR(mode):
            found = sorted(_json_files(path))
            if not found:
                raise InputError(f"{path}: folder has no .json files (nor .csv credential reports)")
            files.extend(found)
        else:  # a file, or a pipe such as `load <(aws iam get-account-authorization-details)`
            files.append(path)
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file)
    return list(unique.values())


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError(f"{path}: broken symbolic link (to {os.readlink(path)})") from None
        raise InputError(f"{path}: no such file or folder") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _json_files(folder: Path) -> list[Path]:
    """Every `*.json` and `*.csv` below `folder`, following symbolic links to folders (each folder once)."""
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    pending = [folder]
    while pending:
        directory = pending.pop()
        try:
            info = directory.stat()
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError as exc:
            raise InputError(f"{directory}: cannot read folder: {exc.strerror or exc}") from None
        for entry in entries:
            path = Path(entry.path)
            mode = _stat(path).st_mode if entry.name.endswith(_INPUT_SUFFIXES) or entry.is_symlink() else None
            if mode is None:
                if _is_dir(entry):
                    pending.append(path)
            elif stat.S_ISDIR(mode):
                pending.append(path)
            elif entry.name.endswith(_INPUT_SUFFIXES) and not _is_grafana_dashboard(path):
                found.append(path)
    return found


def _is_grafana_dashboard(path: Path) -> bool:
    """A Grafana dashboard shipped beside the data (examples/grafana/accessgraph-dashboard.json) is not data:
    a folder load passes over it. Only files named `*-dashboard.json` are opened to check, so a folder of
    GAAD files is read once; a dashboard named on the command line is still refused as unrecognised."""
    if not path.name.endswith("-dashboard.json"):
        return False
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # read_input reports it, naming the file
    return isinstance(document, dict) and "panels" in document and "schemaVersion" in document


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError as exc:
        raise InputError(f"{entry.path}: cannot read: {exc.strerror or exc}") from None


def read_input(path: Path) -> InputFile:
    """Read and recognise one file.

    Raises:
        InputError: unreadable, neither a credential report nor JSON, or JSON of none of the kinds above.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read: {exc}") from exc
    if is_credential_report(text):
        return InputFile(source, "credential-report", (text,))
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
    if len(values) == 1 and is_resource_snapshot(values[0]):
        return "resources"
    if len(values) == 1 and is_security_snapshot(values[0]):
        return "security"
    if pages and all(is_gaad_page(page) and not is_organization_snapshot(page) for page in pages):
        return "gaad"
    first = pages[0] if pages else values[0]
    raise Where(source).error(
        f"neither GAAD output (an object with UserDetailList, GroupDetailList, RoleDetailList, Policies) "
        f"nor an Organizations snapshot (an object with Organization, Roots, Accounts...) "
        f"nor a resource snapshot (an object with AccountId, Resources) "
        f"nor an account security snapshot (an object with AccountId, AccountSummary...): found {kind_of(first)}"
        + (f" with keys {sorted(first)[:5]}" if isinstance(first, dict) else "")
    )
