"""Whether the API's warm-up works out every principal's ways in ahead: on unless switched off, and a value
the setting cannot read is refused (service/api/app.py)."""

from __future__ import annotations

import pytest

from service.api.app import PRECOMPUTE_ESCALATION, precompute_escalation
from service.errors import InputError


def test_the_ways_in_are_worked_out_ahead_unless_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PRECOMPUTE_ESCALATION, raising=False)
    assert precompute_escalation()
    for off in ("0", "false", "No", " off "):
        monkeypatch.setenv(PRECOMPUTE_ESCALATION, off)
        assert not precompute_escalation(), off
    for on in ("1", "true", "YES", "on", ""):
        monkeypatch.setenv(PRECOMPUTE_ESCALATION, on)
        assert precompute_escalation(), on


def test_a_value_it_cannot_read_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PRECOMPUTE_ESCALATION, "sometimes")
    with pytest.raises(InputError, match="must be 1 or 0, not 'sometimes'"):
        precompute_escalation()
