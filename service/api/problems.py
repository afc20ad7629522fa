"""What the API tells clients about failed operations, and what it logs of them.

A client's mistake (a query that does not validate, a variable of the wrong type, accessgraph's own
errors: an unknown ARN, a dead database) is answered as it is and logged at INFO. Anything else is a bug:
masked for the client, logged at ERROR with its traceback. A log line never holds a whole query or a
whole message: one 64 KiB query can carry hundreds of errors, each quoting its source line. In production,
"Did you mean ...?" is cut from messages, since with introspection off suggestions would spell out the
schema one guess at a time.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from service.errors import AccessgraphError

MASKED = "Internal error; see the server log."
EXCERPT_CHARACTERS = 300
LOGGED_ERRORS = 5  # per operation; the rest are counted
_TRACEBACK_LINE_CHARACTERS = 500
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")

log = logging.getLogger("accessgraph.api")


def is_internal(error: GraphQLError) -> bool:
    """True for a bug: an exception that is neither accessgraph's nor GraphQL's own (validation, coercion)."""
    original = error.original_error
    return original is not None and not isinstance(original, AccessgraphError | GraphQLError)


def excerpt(text: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """`text` on one line, cut at `limit` characters with its full length noted."""
    flat = " ".join(text[: limit + 1].split())
    return flat if len(text) <= limit else f"{flat[:limit]}… ({len(text)} characters)"


class Schema(strawberry.Schema):
    """strawberry's schema, logging errors as this module says; without suggestions unless `suggestions`."""

    def __init__(self, *args: Any, suggestions: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        query = excerpt(execution_context.query or "") if execution_context is not None else ""
        for error in errors:
            if not self.suggestions:
                error.message = _SUGGESTION.sub("", error.message)
        for error in errors[:LOGGED_ERRORS]:
            _log(error, query)
        if len(errors) > LOGGED_ERRORS:
            log.info("... and %d more errors in the same operation", len(errors) - LOGGED_ERRORS)


def _log(error: GraphQLError, query: str) -> None:
    where = ".".join(map(str, error.path)) if error.path else _location(error)
    message = excerpt(error.message)
    if is_internal(error) and error.original_error is not None:
        trace = _traceback(error.original_error)
        log.error("internal error at %s: %s\nquery: %s\n%s", where, message, query, trace)
    else:
        log.info("answered with an error at %s: %s; query: %s", where, message, query)


def _location(error: GraphQLError) -> str:
    if error.locations:
        return ", ".join(f"line {loc.line} column {loc.column}" for loc in error.locations[:3])
    return "the request"


def _traceback(exc: BaseException) -> str:
    """The traceback with each line cut short: frames are ours, but messages may quote a client's input."""
    lines = "".join(traceback.format_exception(exc)).splitlines()
    return "\n".join(
        excerpt(line, _TRACEBACK_LINE_CHARACTERS) if len(line) > _TRACEBACK_LINE_CHARACTERS else line for line in lines
    )
