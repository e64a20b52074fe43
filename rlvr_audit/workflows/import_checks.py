"""The checks `import` runs on a generations file's records before it writes a run
(`io.intake`): every record has an id and a completion that is text, a sample index
that is a whole number; no two records share a key; no id has two gold answers.

Keys are what the run store keys generations by: (run, problem id, template, sample),
the run being the record's group after `--group`, the sample its `--sample-field` value.
Without `--sample-field` samples are numbered by position, and a duplicate is a record
identical to another of its id that gives the id more samples than most ids of its run
have (io.intake). Golds are one per problem id across the whole file: the runs share
their problems. With `--data-file` the golds come from the benchmark and the file's are
not checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.io.intake import Notify, RecordKey, drop_duplicates, require_text, settle_golds
from rlvr_audit.io.records import Records

SAMPLE_HINT = "or, if they are separate samples, put each one's index in a field and pass --sample-field FIELD"


def check_records(
    spec: Any,
    records: Records,
    group_of: Sequence[str],
    templates: Sequence[str],
    fields: dict[str, str],
    notify: Notify,
) -> tuple[list[int], dict[int, int]]:
    """(indices of the records to import, in file order; for each, the index of the record
    whose gold answer its problem takes). `spec` is the ImportSpec, `fields` names the
    id ("pid"), completion and answer fields."""
    pid, completion, answer = fields["pid"], fields["completion"], fields["answer"]
    keys = []
    for index, rec in enumerate(records):
        if rec.get(pid) is None:
            raise AuditError(
                f"{spec.path}: {records.where(index)} has no '{pid}'", "fill it in, delete that line or pass --id-field"
            )
        require_text(records, index, completion, spec.path, role="completion", option="--completion-field")
        sample = _sample(records, index, spec.sample_field, spec.path) if spec.sample_field else None
        scope = (("run", group_of[index]),)
        if spec.template_field is not None:
            scope += (("template", templates[index]),)
        keys.append(RecordKey(str(rec[pid]), sample, scope))
    kept = drop_duplicates(records, keys, spec.path, spec.intake, notify, sample_hint=SAMPLE_HINT)
    if spec.data_file is not None:
        return kept, {}
    golds = [
        (i, RecordKey(keys[i].id), str(records[i][answer]).strip()) for i in kept if records[i].get(answer) is not None
    ]
    return kept, settle_golds(records, golds, spec.path, spec.intake, notify)


def _sample(records: Records, index: int, field: str, path: Any) -> int:
    value = records[index].get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise AuditError(
        f"{path}: {records.where(index)}: the sample index '{field}' is {value!r}, not a whole number",
        "fix that line, or pass --sample-field with the field that holds the sample index",
    )
