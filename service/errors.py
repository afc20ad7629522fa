"""The errors accessgraph reports to people, drawn once.

    AccessgraphError            a message for a person; the CLI prints it and exits non-zero
    ├── DatabaseUnavailable     Neo4j cannot answer us now (the API: HTTP 503); `reason` says why
    │   ├── DatabaseUnreachable     nothing answers at the URI (stopped, wrong host or port, network)
    │   ├── DatabaseRefused         the server answers but refuses us (credentials, rights, rate limit)
    │   └── DatabaseNotReady        the server answers but the database does not (starting, stopping,
    │                               unknown name)
    ├── ProvisioningError       Neo4j could not be downloaded, configured or started
    ├── InputError              a file or document the user gave is wrong (names file and entity)
    │   └── PolicyError         a policy document that does not parse (names policy, statement, field)
    ├── LoadError               a snapshot's write failed after validation (names its file; says what
    │                           was written and what kept its previous snapshot)
    └── QueryError              a question the API cannot answer as asked (unknown ARN, bad action)

Anything else that escapes is a bug: the CLI prints it as one, the API masks it.
"""

from __future__ import annotations


class AccessgraphError(Exception):
    """A failure with a message meant for the person who ran the command."""

    exit_code = 1


class DatabaseUnavailable(AccessgraphError):
    exit_code = 3
    reason = "unavailable"


class DatabaseUnreachable(DatabaseUnavailable):
    reason = "unreachable"


class DatabaseRefused(DatabaseUnavailable):
    reason = "refused"


class DatabaseNotReady(DatabaseUnavailable):
    reason = "not-ready"


class ProvisioningError(AccessgraphError):
    exit_code = 4


class InputError(AccessgraphError):
    exit_code = 2


class PolicyError(InputError):
    """A policy document that does not parse.

    Attributes name where: the policy, the statement (index and Sid when known) and the field.
    """

    def __init__(
        self,
        message: str,
        *,
        policy: str | None = None,
        statement: int | None = None,
        sid: str | None = None,
        field: str | None = None,
    ) -> None:
        self.policy = policy
        self.statement = statement
        self.sid = sid
        self.field = field
        self.detail = message
        where = []
        if policy:
            where.append(f"policy {policy!r}")
        if statement is not None:
            where.append(f"statement {statement}" + (f" (Sid {sid!r})" if sid else ""))
        if field:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class LoadError(AccessgraphError):
    exit_code = 5


class QueryError(AccessgraphError):
    exit_code = 2
