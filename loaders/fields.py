"""Reading fields out of untrusted JSON: every failure is an `InputError` naming the file and entity."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.errors import InputError


@dataclass(frozen=True, slots=True)
class Where:
    """The file and the entity in it that a value came from."""

    source: str
    entity: str = ""

    def at(self, entity: str) -> Where:
        return Where(self.source, entity)

    def error(self, message: str) -> InputError:
        return InputError(f"{self.source}: {self.entity}: {message}" if self.entity else f"{self.source}: {message}")


def kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def as_object(value: object, where: Where, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise where.error(f"{what} must be an object, not {kind_of(value)}")
    return value


def as_list(value: object) -> list[Any]:
    """AWS lets many elements be one value or a list of them; absent means empty."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def objects(obj: Mapping[str, Any], key: str, where: Where) -> list[Mapping[str, Any]]:
    """A list of objects under `key` (one object accepted; absent or null means none)."""
    items = as_list(obj.get(key))
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise where.error(f"{key}[{index}] must be an object, not {kind_of(item)}")
    return items


def strings(obj: Mapping[str, Any], key: str, where: Where) -> list[str]:
    items = as_list(obj.get(key))
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise where.error(f"{key}[{index}] must be a non-empty string, not {kind_of(item)}")
        storable(item, f"{key}[{index}]", where)
    return items


# IAM's own syntax (IAM API reference, "CreateRole": RoleName, Path; the same for users, groups, policies).
_IAM_NAME = re.compile(r"[\w+=,.@-]+\Z", re.ASCII)
_IAM_PATH = re.compile(r"/(?:[\x21-\x7e]*/)?\Z")
_IAM_ID = re.compile(r"[\x21-\x7e]+\Z")


def text(obj: Mapping[str, Any], key: str, where: Where) -> str:
    value = obj.get(key)
    if value is None:
        raise where.error(f"missing required field {key}")
    if not isinstance(value, str) or not value:
        raise where.error(f"{key} must be a non-empty string, not {kind_of(value)}")
    return storable(value, key, where)


def optional_text(obj: Mapping[str, Any], key: str, where: Where) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise where.error(f"{key} must be a string, not {kind_of(value)}")
    return storable(value, key, where)


def storable(value: str, key: str, where: Where) -> str:
    """`value`, unless it cannot be stored: a lone surrogate (from a `\\ud800` escape) is not UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise where.error(f"{key} {value!r} is not Unicode text (it holds a lone surrogate)") from None
    return value


def iam_name(obj: Mapping[str, Any], key: str, where: Where) -> str:
    """A user, group, role or policy name, which IAM limits to ASCII letters, digits and `+=,.@_-`."""
    value = text(obj, key, where)
    if not _IAM_NAME.match(value):
        raise where.error(f"{key} {value!r} is not an IAM name (ASCII letters, digits and +=,.@_-)")
    return value


def iam_path(obj: Mapping[str, Any], key: str, where: Where) -> str:
    """An IAM path: `/`, or printable ASCII between slashes (`/division/team/`); absent means `/`."""
    value = optional_text(obj, key, where) or "/"
    if not _IAM_PATH.match(value):
        raise where.error(f"{key} {value!r} is not an IAM path (/ or /printable-ascii/)")
    return value


def iam_id(obj: Mapping[str, Any], key: str, where: Where) -> str:
    value = text(obj, key, where)
    if not _IAM_ID.match(value):
        raise where.error(f"{key} {value!r} is not an IAM id (printable ASCII without spaces)")
    return value


def optional_int(obj: Mapping[str, Any], key: str, where: Where) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(f"{key} must be an integer, not {kind_of(value)}")
    if not -(2**63) <= value < 2**63:
        raise where.error(f"{key} is out of range")
    return value


def optional_bool(obj: Mapping[str, Any], key: str, where: Where) -> bool | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise where.error(f"{key} must be true or false, not {kind_of(value)}")
    return value


def timestamp(obj: Mapping[str, Any], key: str, where: Where) -> str | None:
    """A date as the AWS CLI prints it (ISO 8601); boto3's datetimes are accepted too."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if not isinstance(value, str):
        raise where.error(f"{key} must be a date string, not {kind_of(value)}")
    return storable(value, key, where)


def tags_json(obj: Mapping[str, Any], where: Where) -> str:
    """`Tags: [{Key, Value}]` as a JSON object string (sorted by key, so reloads compare equal)."""
    tags: dict[str, str] = {}
    for index, tag in enumerate(objects(obj, "Tags", where)):
        key = text(tag, "Key", where.at(f"{where.entity} Tags[{index}]"))
        value = tag.get("Value", "")
        if not isinstance(value, str):
            raise where.error(f"Tags[{index}].Value must be a string, not {kind_of(value)}")
        for field, content in (("Key", key), ("Value", value)):
            if any(unicodedata.category(char).startswith("C") for char in content):
                # IAM tags allow letters, digits, spaces and _.:/=+-@ ("Tag": Key, Value): never a control,
                # format or unassigned character, nor a surrogate.
                raise where.error(f"Tags[{index}].{field} {content!r} holds a character IAM tags cannot contain")
        tags[key] = value
    return json.dumps(tags, sort_keys=True, ensure_ascii=False)
