"""CI gates read the adjusted gain and its CI of every trained run (or claim row)."""

from types import SimpleNamespace

import pytest

from rlvr_audit.comparison.gates import Gates, tripped_gates


def runs(*adjusted):
    trained = [
        SimpleNamespace(run=f"rl{i}", adjusted=dict(zip(("gain", "low", "high"), a))) for i, a in enumerate(adjusted)
    ]
    return SimpleNamespace(trained=trained)


@pytest.mark.parametrize(
    ("adjusted", "gates", "reasons"),
    [
        ((5.0, 1.0, 9.0), Gates(), []),
        (
            (5.0, 1.0, 9.0),
            Gates(adjusted_below=10),
            ["rl0: adjusted gain +5.0 (CI [+1.0, +9.0]) is below the required +10.0"],
        ),
        (
            (-5.0, -9.0, -1.0),
            Gates(on_regression=True),
            ["rl0 regressed: adjusted gain -5.0 (CI [-9.0, -1.0]) is below 0 beyond the CI"],
        ),
        ((-5.0, -9.0, 1.0), Gates(on_regression=True), []),  # the CI reaches 0: not a regression
        (
            (-5.0, None, None),
            Gates(on_regression=True, adjusted_below=0),
            ["rl0: adjusted gain -5.0 is below the required +0.0"],
        ),
    ],
)
def test_gates_on_runs(adjusted, gates, reasons):
    assert tripped_gates(runs(adjusted), gates) == reasons


def test_every_tripped_run_is_listed_in_order():
    result = runs((-5.0, -9.0, -1.0), (20.0, 15.0, 25.0), (2.0, 1.0, 3.0))
    reasons = tripped_gates(result, Gates(adjusted_below=10, on_regression=True))
    assert [r.split(" ")[0].rstrip(":") for r in reasons] == ["rl0", "rl0", "rl2"]


def test_gates_on_claim_rows():
    row = {
        "reward": "random",
        "version": "v1",
        "gain_vs_baseline": 1.5,
        "gain_vs_baseline_low": None,
        "gain_vs_baseline_high": None,
    }
    assert tripped_gates(SimpleNamespace(rows=[row]), Gates(adjusted_below=2)) == [
        "random [v1]: adjusted gain +1.5 is below the required +2.0"
    ]
