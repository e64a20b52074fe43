"""Parsers of the options several commands share."""

import pytest

from rlvr_audit.cli import options as opt
from rlvr_audit.core.errors import AuditError


@pytest.mark.parametrize(
    ("values", "names"),
    [(None, []), (["a"], ["a"]), (["a,b", " c ", "d,,"], ["a", "b", "c", "d"])],
)
def test_split_names(values, names):
    assert opt.split_names(values) == names


@pytest.mark.parametrize(
    ("text", "cell"),
    [(None, None), ("r1:ttrl", ("r1", "ttrl")), (" r1 : ttrl ", ("r1", "ttrl"))],
)
def test_parse_cell(text, cell):
    assert opt.parse_cell(text, "t:p") == cell


@pytest.mark.parametrize("text", ["", "r1", "r1:", ":ttrl", "a:b:c"])
def test_parse_cell_refuses(text):
    with pytest.raises(AuditError, match="is not TEMPLATE:PROFILE") as info:
        opt.parse_cell(text, "t:p")
    assert info.value.fix == "pass e.g. --as-claimed t:p"


def test_pairs_become_scalars_and_named_flags_win():
    pairs = ["batch_size=8", "eager=true", "gpu_memory_utilization=0.5", "dtype=float16", "name=x=y"]
    options = opt.backend_options(pairs, dtype="bfloat16", base_url=None)
    assert options == {
        "batch_size": 8,
        "eager": True,
        "gpu_memory_utilization": 0.5,
        "dtype": "bfloat16",
        "name": "x=y",
    }
    with pytest.raises(AuditError, match="--backend-option 'oops' is not KEY=VALUE"):
        opt.backend_options(["oops"])
