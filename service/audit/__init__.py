"""The audit (#16): where loaded accounts depart from the tutorial's best practices, as findings with evidence
and the CIS AWS Foundations Benchmark v3.0.0 control each matches (docs/audit.md).

catalogue   the categories: severity, CIS id, recommendation
model       Finding, Unchecked, AuditSettings (the windows and the clock), Audit
checks      pure functions from one account's facts to its findings
admin       administrators and `*` on `*` policies, by the escalation issue's definition
run         reads the facts (a few queries per account) and runs the checks
"""

from service.audit.catalogue import CATEGORY_NAMES, CIS_VERSION, SEVERITIES
from service.audit.model import Audit, AuditSettings, Finding, Unchecked, settings_at
from service.audit.run import AuditSource, findings

__all__ = [
    "CATEGORY_NAMES",
    "CIS_VERSION",
    "SEVERITIES",
    "Audit",
    "AuditSettings",
    "AuditSource",
    "Finding",
    "Unchecked",
    "findings",
    "settings_at",
]
