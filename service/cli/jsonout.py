"""The CLI's json output: the organization-wide reviews print tens of megabytes, and the standard library's
encoder is pure Python once it indents (its C encoder only writes compact json), a second of a review at 100k
principals; orjson writes the same indented json in a few hundredths of a second."""

from __future__ import annotations

from typing import Any

import orjson


def dumps(value: Any) -> str:
    """`value` as json indented by two spaces, like `json.dumps(value, indent=2)` (non-ASCII is written as
    UTF-8 rather than escaped)."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
