"""`Sampling` refuses impossible settings itself, so every command and the Python API do."""

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Sampling


@pytest.mark.parametrize(
    ("settings", "fix"),
    [
        ({"n": 0}, "--samples 1"),
        ({"n": -1}, "--samples 1"),
        ({"temperature": -0.1}, "--temperature 0"),
        ({"top_p": 0.0}, "--top-p 1"),
        ({"top_p": 1.5}, "--top-p 1"),
        ({"max_tokens": 0}, "--max-tokens"),
    ],
)
def test_impossible_sampling_is_an_audit_error_with_the_fix(settings, fix):
    with pytest.raises(AuditError) as info:
        Sampling(**settings)
    assert info.value.exit_code == 2 and fix in info.value.one_line()


@pytest.mark.parametrize(
    "settings",
    [{}, {"temperature": 0.0, "top_p": 1.0, "max_tokens": 1, "n": 1}, {"temperature": 2.0, "top_p": 0.01}],
)
def test_possible_sampling_is_accepted(settings):
    assert Sampling(**settings).to_dict().items() >= settings.items()


def test_unknown_settings_stay_allowed():
    # An import records settings nobody knows as None rather than inventing them.
    assert Sampling(temperature=None, top_p=None, max_tokens=None, seed=None).n == 1
