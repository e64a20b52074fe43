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
    # Copied from the two abstracts quoted in the claim file's `source` fields.
    assert versions == {
        "blog-2025-05": {
            "ground-truth": 28.8,
            "majority-vote": 26.5,
            "incorrect": 24.6,
            "one-shot": 24.4,
            "random": 21.4,
            "format": 16.4,
        },
        "arxiv-v1": {
            "ground-truth": 29.1,
            "majority-vote": 27.1,
            "incorrect": 24.1,
            "one-shot": 26.0,
            "random": 21.4,
            "format": 13.8,
        },
    }


def test_published_baselines_for_qwen_math_7b():
    found = {(b["claim"], b["value"], b["standardized"]) for b in baselines_for("Qwen/Qwen2.5-Math-7B", "math500")}
    assert found == {
        ("understand-r1-zero", 69.0, False),
        ("sober-look", 64.3, True),
        ("qwen25-math-4shot", 61.6, False),
        ("ttrl", 50.6, False),
    }
    assert baselines_for("Qwen/Qwen2.5-Math-7B", "aime24") == []


def test_unknown_claim_lists_known():
    with pytest.raises(AuditError) as info:
        get_claim("nope")
    assert "spurious-rewards" in info.value.one_line()


def test_describe_claims_rows():
    rows = describe_claims()
    assert all({"claim", "number", "value", "verified"} <= set(r) for r in rows)
    assert any(r["claim"] == "spurious-rewards" and "random" in r["number"] for r in rows)


# Hand-worked from the claim files: spurious-rewards claims a 49.4 baseline; the published
# Qwen2.5-Math-7B MATH-500 baselines are 69.0 (understand-r1-zero), 64.3 (sober-look,
# standardized), 61.6 (qwen25-math-4shot) and 50.6 (ttrl).
#   blog random:       49.4 + 21.4 = 70.8; 70.8 - 69.0 = +1.8;  - 64.3 = +6.5;  - 61.6 = +9.2;  - 50.6 = +20.2
#   blog format:       49.4 + 16.4 = 65.8; 65.8 - 69.0 = -3.2;  - 64.3 = +1.5
#   arxiv format:      49.4 + 13.8 = 63.2; 63.2 - 69.0 = -5.8;  - 64.3 = -1.1;  - 50.6 = +12.6
#   arxiv ground-truth 49.4 + 29.1 = 78.5; 78.5 - 69.0 = +9.5;  - 64.3 = +14.2
@pytest.mark.parametrize(
    "policy, version, reward, trained, figure, kept",
    [
        ("best", "blog-2025-05", "random", 70.8, 1.8, 0.084),  # 1.8 / 21.4
        ("best", "blog-2025-05", "format", 65.8, -3.2, -0.195),  # -3.2 / 16.4
        ("best", "arxiv-v1", "format", 63.2, -5.8, -0.42),  # -5.8 / 13.8
        ("best", "arxiv-v1", "ground-truth", 78.5, 9.5, 0.326),  # 9.5 / 29.1
        ("standardized", "blog-2025-05", "random", 70.8, 6.5, 0.304),  # 6.5 / 21.4
        ("standardized", "arxiv-v1", "format", 63.2, -1.1, -0.08),  # -1.1 / 13.8
        ("ttrl", "arxiv-v1", "format", 63.2, 12.6, 0.913),  # 12.6 / 13.8
        ("sober-look:standardized baseline", "arxiv-v1", "ground-truth", 78.5, 14.2, 0.488),  # 14.2 / 29.1
    ],
)
def test_compare_claim_policies(policy, version, reward, trained, figure, kept):
    result = compare_claim("spurious-rewards", policy=policy)
    row = next(r for r in result.rows if r["version"] == version and r["reward"] == reward)
    assert row["claimed_trained"] == pytest.approx(trained, abs=1e-9)
    assert row["gain_vs_baseline"] == pytest.approx(figure, abs=1e-9)
    assert row["kept"] == pytest.approx(kept, abs=1e-9)
    assert row["gain_vs_baseline_low"] is None and row["gain_vs_baseline_high"] is None
    assert result.policy == policy and result.lower_bound == (policy == "best")


def test_compare_claim_against_every_published_baseline():
    result = compare_claim("spurious-rewards", version="blog-2025-05")
    assert result.baseline["claim"] == "understand-r1-zero" and result.baseline["value"] == 69.0
    random = next(r for r in result.rows if r["reward"] == "random")
    assert random["vs_published"] == pytest.approx(
        {
            "understand-r1-zero:no template": 1.8,
            "sober-look:standardized baseline": 6.5,
            "qwen25-math-4shot:4-shot": 9.2,
            "ttrl:base model (TTRL table)": 20.2,
        },
        abs=1e-9,
    )
    assert len(result.rows) == 6  # the six rewards of that version


def test_compare_claim_unknown_policy_names_the_choices():
    with pytest.raises(AuditError) as info:
        compare_claim("spurious-rewards", policy="nope")
    assert "standardized" in info.value.one_line() and "ttrl:base model (TTRL table)" in info.value.one_line()


def test_compare_claim_cli_json_and_table(tmp_path, capsys):
    assert main(["compare", "--claim", "spurious-rewards", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "rlvr-audit.compare-claim" and data["schema_version"] == 2
    assert data["baseline_policy"] == "best" and data["figure"]["lower_bound"] is True
    assert "lower bound on the adjusted gain" in data["figure"]["description"]
    assert data["baseline"]["value"] == 69.0
    assert len(data["rows"]) == 12  # 2 versions x 6 rewards
    assert not any(k.startswith("adjusted") for row in data["rows"] for k in row)
    md = tmp_path / "claim.md"
    assert main(["compare", "--claim", "spurious-rewards", "--claim-version", "arxiv-v1", "--markdown", str(md)]) == 0
    out = md.read_text(encoding="utf-8")
    assert "trained (claimed cell) − best published base (69.0)" in out
    assert "vs 64.3 (sober-look)" in out and "vs 50.6 (ttrl)" in out
    assert "baseline policy 'best'" in out and "lower bound on the adjusted gain" in out


def test_compare_claim_cli_standardized(capsys):
    assert main(["compare", "--claim", "spurious-rewards", "--baseline-policy", "standardized", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["baseline_policy"] == "standardized" and data["figure"]["lower_bound"] is False
    assert data["baseline"]["claim"] == "sober-look" and data["baseline"]["value"] == 64.3
    random = next(r for r in data["rows"] if r["version"] == "arxiv-v1" and r["reward"] == "random")
    assert random["gain_vs_baseline"] == pytest.approx(6.5, abs=1e-9)  # 70.8 - 64.3


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "--claim", "spurious-rewards", "--baseline-policy", "nope"],
        ["compare", "a", "b", "--baseline-policy", "standardized"],
    ],
)
def test_compare_claim_bad_policy_is_one_line(capsys, args):
    assert main(args) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_compare_claim_gate(capsys):
    rc = main(["compare", "--claim", "spurious-rewards", "--fail-if-adjusted-below", "0"])
    assert rc == 1  # the format reward: 65.8 - 69.0 = -3.2 (blog), 63.2 - 69.0 = -5.8 (arxiv)
    assert "format" in capsys.readouterr().err


def test_list_claims(capsys):
    assert main(["list", "claims", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["claim"] == "sober-look" for r in rows)


def _as_claims_base(run, model="Qwen/Qwen2.5-Math-7B", benchmark="math500"):
    """The toy run relabelled as a run of the claim's model on the claim's benchmark."""
    run.update_manifest(
        model={**run.manifest.model, "id": model}, benchmark={**run.manifest.benchmark, "name": benchmark}
    )
    return run


@pytest.mark.parametrize(
    "model, benchmark, named",
    [
        ("HuggingFaceTB/SmolLM2-135M-Instruct", "gsm8k", ["its model is HuggingFaceTB/SmolLM2-135M-Instruct", "gsm8k"]),
        ("tiny", "math500", ["its model is tiny"]),
        ("Qwen/Qwen2.5-Math-7B", "gsm8k", ["its benchmark is gsm8k, the claim's is math500"]),
        ("Qwen/Qwen2.5-Math-7B-Instruct", "math500", ["Qwen2.5-Math-7B-Instruct"]),
    ],
)
def test_a_base_run_of_another_model_or_benchmark_is_refused(tmp_path, model, benchmark, named):
    from test_compare import _column, make_run

    base = _as_claims_base(make_run(tmp_path / "base", {("a", "x"): _column(30)}), model, benchmark)
    with pytest.raises(AuditError) as info:
        compare_claim("spurious-rewards", base, n_boot=300)
    assert info.value.exit_code == 2 and "--force" in info.value.fix
    assert all(phrase in info.value.message for phrase in named)
    forced = compare_claim("spurious-rewards", base, n_boot=300, force=True)
    assert forced.rows and all(r["note"] == "unmatched base" for r in forced.rows)
    assert forced.to_dict()["base_mismatch"] == forced.base_mismatch != []


@pytest.mark.parametrize(
    "model_id", ["Qwen/Qwen2.5-Math-7B", "/models/qwen2.5-math-7b", 'Qwen2.5-Math-7B (base; prompt variant "x")']
)
def test_the_claims_model_matches_by_name(tmp_path, model_id):
    from test_compare import _column, make_run

    base = _as_claims_base(make_run(tmp_path / "base", {("a", "x"): _column(30)}), model_id)
    assert compare_claim("spurious-rewards", base, n_boot=300).base_mismatch == []


def test_compare_claim_with_measured_base_run(tmp_path, capsys):
    from test_compare import _column, make_run

    # 40 problems: 30 correct = 75.0, 34 correct = 85.0, so the best cell is b:x at 85.0.
    base = _as_claims_base(make_run(tmp_path / "base", {("a", "x"): _column(30), ("b", "x"): _column(34)}))
    result = compare_claim("spurious-rewards", base, version="arxiv-v1", n_boot=300)
    assert result.baseline["source"] == "measured" and result.baseline["value"] == pytest.approx(85.0)
    assert result.baseline["verified"] is None  # measured here: nobody checked it against a paper
    assert result.base_mismatch == [] and all("note" not in r for r in result.rows)
    assert result.baseline["template"] == "b"
    random = next(r for r in result.rows if r["reward"] == "random")
    assert random["gain_vs_baseline"] == pytest.approx(-14.2, abs=1e-9)  # 49.4 + 21.4 - 85.0
    assert random["gain_vs_baseline_low"] < random["gain_vs_baseline"] < random["gain_vs_baseline_high"]
    assert "best measured base" in result.figure_description()
    with pytest.raises(AuditError, match="measured base run"):
        compare_claim("spurious-rewards", base, policy="standardized")


def test_wu_contamination_claim_registers_the_probe_figures():
    claim = get_claim("wu-contamination")
    assert claim["kind"] == "contamination"
    figures = {(n["model"], n["benchmark"], n["measure"]): n["value"] for n in claim["numbers"]}
    assert figures[("Qwen/Qwen2.5-Math-7B", "math500", "exact_match")] == 54.6
    assert figures[("Qwen/Qwen2.5-Math-7B", "math500", "accuracy")] == 53.6
    assert figures[("meta-llama/Llama-3.1-8B", "math500", "exact_match")] == 3.8
    assert figures[("meta-llama/Llama-3.1-8B", "math500", "accuracy")] == 2.4
    assert figures[("Qwen/Qwen2.5-Math-7B", "livemathbench-202505", "accuracy")] == 2.0
    assert all(n["ratio"] == 0.6 for n in claim["numbers"])
    # A probe figure is not a baseline: it must not leak into the baseline policies.
    assert all(b["claim"] != "wu-contamination" for b in baselines_for("Qwen/Qwen2.5-Math-7B", "math500"))
    rows = [r for r in describe_claims() if r["claim"] == "wu-contamination"]
    assert len(rows) == 8
    assert {r["model"] for r in rows} == {"Qwen/Qwen2.5-Math-7B", "meta-llama/Llama-3.1-8B"}


def test_compare_on_a_contamination_claim_points_to_the_probe(capsys):
    assert main(["compare", "--claim", "wu-contamination"]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "rlvr-audit contamination" in err and "Traceback" not in err
