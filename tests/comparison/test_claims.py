"""The claims registry and `compare --claim`."""

from __future__ import annotations

import json

import pytest

from rlvr_audit.cli.app import main
from rlvr_audit.comparison.claim_registry import baselines_for, describe_claims, get_claim, load_claims
from rlvr_audit.comparison.claims import compare_claim
from rlvr_audit.core.errors import AuditError


def test_every_claim_is_complete():
    claims = load_claims()
    assert {"spurious-rewards", "sober-look", "understand-r1-zero", "ttrl"} <= {c["name"] for c in claims}
    for claim in claims:
        for key in ("paper", "model", "benchmark", "setting", "url"):
            assert key in claim, (claim["name"], key)
        numbers = (
            claim.get("numbers", []) + claim.get("versions", []) + ([claim["baseline"]] if "baseline" in claim else [])
        )
        assert numbers
        for number in numbers:
            assert isinstance(number["verified"], bool)
            assert number.get("source"), claim["name"]
            if not number["verified"]:
                assert number.get("note"), f"{claim['name']}: an unverified number must say why"


@pytest.mark.parametrize(
    "name, path, expected",
    [
        ("spurious-rewards", ("baseline", "value"), 49.4),
        ("sober-look", ("numbers", 0, "value"), 64.3),
        ("sober-look", ("numbers", 0, "sd"), 0.5),
        ("understand-r1-zero", ("numbers", 0, "value"), 69.0),
        ("ttrl", ("numbers", 0, "value"), 50.6),
    ],
)
def test_registry_numbers(name, path, expected):
    value = get_claim(name)
    for key in path:
        value = value[key]
    assert value == expected


def test_spurious_rewards_versions():
    versions = {v["version"]: v["gains"] for v in get_claim("spurious-rewards")["versions"]}
    assert len(versions) == 2
    gains = [g for g in versions.values()]
    assert any(
        g["ground-truth"] == 28.8 and g["random"] == 21.4 and g["format"] == 16.4 and g["incorrect"] == 24.6
        for g in gains
    )
    assert all(set(g) == set(gains[0]) for g in gains)


def test_unknown_claim_lists_known():
    with pytest.raises(AuditError) as info:
        get_claim("nope")
    assert "spurious-rewards" in info.value.one_line()


def test_describe_claims_rows():
    rows = describe_claims()
    assert all({"claim", "number", "value", "verified"} <= set(r) for r in rows)
    assert any(r["claim"] == "spurious-rewards" and "random" in r["number"] for r in rows)


def test_compare_claim_uses_best_published_baseline():
    result = compare_claim("spurious-rewards")
    best = max(b["value"] for b in baselines_for("Qwen/Qwen2.5-Math-7B", "math500"))
    assert result.baseline["value"] == best
    for row in result.rows:
        assert row["adjusted_gain"] == pytest.approx(49.4 + row["claimed_gain"] - best, abs=0.01)
        assert row["adjusted_gain"] < row["claimed_gain"]


def test_compare_claim_cli_json_and_table(capsys):
    assert main(["compare", "--claim", "spurious-rewards", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "rlvr-audit.compare-claim"
    assert len(data["rows"]) == 12
    assert main(["compare", "--claim", "spurious-rewards", "--claim-version", "arxiv-v1"]) == 0
    out = capsys.readouterr().out
    assert "claimed gain" in out and "adjusted gain" in out


def test_compare_claim_gate(capsys):
    rc = main(["compare", "--claim", "spurious-rewards", "--fail-if-adjusted-below", "0"])
    assert rc == 1  # the format reward's adjusted gain is negative
    assert "format" in capsys.readouterr().err


def test_list_claims(capsys):
    assert main(["list", "claims", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["claim"] == "sober-look" for r in rows)


def test_compare_claim_with_measured_base_run(tmp_path):
    from test_compare import _column, make_run

    base = make_run(tmp_path / "base", {("a", "x"): _column(30), ("b", "x"): _column(34)})  # best 85.0
    result = compare_claim("spurious-rewards", base, version="arxiv-v1", n_boot=300)
    assert result.baseline["source"] == "measured" and result.baseline["value"] == pytest.approx(85.0)
    assert result.baseline["template"] == "b"
    random = next(r for r in result.rows if r["reward"] == "random")
    assert random["adjusted_gain"] == pytest.approx(49.4 + 21.4 - 85.0, abs=0.01)
    assert random["adjusted_low"] < random["adjusted_gain"] < random["adjusted_high"]
