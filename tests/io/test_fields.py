"""Finding the fields of generation records (reading them is tests/io/test_records.py)."""

from __future__ import annotations

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.io.fields import ANSWER_FIELDS, COMPLETION_FIELDS, pick_field

RECORDS = [{"id": "a", "response": "x", "gold": "1"}, {"id": "b", "response": "y", "gold": "2"}]


@pytest.mark.parametrize(
    "preferred, candidates, role, expected",
    [
        (None, COMPLETION_FIELDS, "completion", "response"),
        (None, ANSWER_FIELDS, "answer", "gold"),
        ("id", COMPLETION_FIELDS, "completion", "id"),
    ],
)
def test_pick_field(preferred, candidates, role, expected):
    assert pick_field(RECORDS, preferred, candidates, role) == expected


@pytest.mark.parametrize(
    "preferred, role, option",
    [(None, "solution", "--solution-field"), ("nope", "completion", "--completion-field")],
)
def test_pick_field_names_found_fields_and_option(preferred, role, option):
    with pytest.raises(AuditError) as info:
        pick_field(RECORDS, preferred, ("solution",), role)
    line = info.value.one_line()
    assert "id, response, gold" in line and option in line
