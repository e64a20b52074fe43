"""`rlvr-audit compare BASE_RUN TRAINED_RUN [MORE_RUNS...]` and `compare --claim NAME`."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import typer

from rlvr_audit.cli import exports
from rlvr_audit.cli import options as opt
from rlvr_audit.core.errors import AuditError, GateFailure


def _open_complete(path: Path, check: Any = None) -> Any:
    """The run at `path`, after `check(run)` (if any); IncompleteRun (exit 3) when it lacks
    generations or grades, since a half-finished run would be compared on whatever subset
    happens to be there."""
    from rlvr_audit.store.run import Run

    run = Run.open(path)
    if check is not None:
        check(run)
    run.check_complete()
    return run


def _check_profiles(runs: list[Any], profiles: list[str] | None) -> None:
    """Every --profile must be graded in every run: an unknown name is a typo to fix, not a
    run to grade."""
    from rlvr_audit.grading.registry import profile_names

    for name in profiles or []:
        lacking = [r for r in runs if name not in r.graded_profiles()]
        if not lacking:
            continue
        graded = sorted(set().union(*(r.graded_profiles() for r in runs)))
        if name not in profile_names():
            raise AuditError(f"'{name}' is not a known profile", f"pass --profile with one of: {', '.join(graded)}")
        raise AuditError(
            f"{lacking[0].name} is not graded with profile '{name}'",
            f"grade it first: rlvr-audit grade {lacking[0].path} --profile {name}, or pass --profile with one of: "
            f"{', '.join(graded)}",
        )


def _compare_claim(
    claim: str, runs: list[Path], *, version: str | None, policy: str, profiles, force: bool, **bootstrap: Any
):
    """(ClaimComparison, its tables) for `compare --claim`."""
    from rlvr_audit.comparison.claim_registry import get_claim
    from rlvr_audit.comparison.claims import check_base, compare_claim
    from rlvr_audit.report.comparison_tables import claim_table

    if len(runs) > 1:
        raise AuditError(
            "--claim takes at most one run (a measured base run)",
            "pass: rlvr-audit compare [BASE_RUN] --claim NAME",
        )
    # The claim's own identity first: no point in finishing a run of the wrong model.
    record = get_claim(claim)
    identity = partial(check_base, record, force=force) if record["kind"] == "gains" else None
    base = _open_complete(runs[0], identity) if runs else None
    if base is not None:
        _check_profiles([base], profiles)
    result = compare_claim(claim, base, version=version, policy=policy, profiles=profiles, force=force, **bootstrap)
    return result, [claim_table(result)]


def _compare_runs(runs: list[Path], *, as_claimed: str | None, **settings: Any):
    """(Comparison, its tables) for `compare BASE TRAINED...`."""
    from rlvr_audit.comparison.gains import compare_runs
    from rlvr_audit.report.comparison_tables import cells_table, comparison_table, decomposition_table

    if len(runs) < 2:
        raise AuditError(
            "compare needs a base run and at least one trained run",
            "pass BASE_RUN TRAINED_RUN [MORE_RUNS...], or --claim NAME",
        )
    opened = [_open_complete(p) for p in runs]
    _check_profiles(opened, settings.get("profiles"))
    result = compare_runs(
        opened[0], opened[1:], as_claimed=opt.parse_cell(as_claimed or None, "qwen-math-chat:ttrl"), **settings
    )
    tables = [comparison_table(result), cells_table(result)]
    extra = decomposition_table(result)
    if extra is not None:
        tables.append(extra)
    return result, tables


def _contamination(explicit: Path | None, disabled: bool, base_dir: Path | None) -> tuple[dict | None, str | None]:
    """(summary of the base model's contamination probe, or None; a note when none is
    found). The probe is `explicit`, else the newest probe run beside the base run that
    probed the same model on the same benchmark."""
    from rlvr_audit.comparison.contamination import summarise_probe
    from rlvr_audit.store.run import Run
    from rlvr_audit.workflows.contamination import load_probe
    from rlvr_audit.workflows.report import find_contamination

    if disabled:
        if explicit is not None:
            raise AuditError("--contamination and --no-contamination contradict", "pass one of them")
        return None, None
    if base_dir is None:  # --claim without a measured base: nothing to match the probe against
        return (summarise_probe(load_probe(explicit), source=str(explicit)), None) if explicit else (None, None)
    base = Run.open(base_dir)
    summary, _ = find_contamination(base, explicit)
    if summary is not None:
        return summary, None
    model, benchmark = base.manifest.model, base.benchmark_identity
    return None, (
        f"no contamination probe of {model.get('id')} on {benchmark.get('name')} beside the base run; "
        f"run: rlvr-audit contamination --model {model.get('id')} --benchmark {benchmark.get('name')}"
    )


def _emit(
    result: Any,
    tables: list[Any],
    *,
    contamination: tuple[dict | None, str | None] = (None, None),
    out: exports.Exports,
    plot,
) -> dict[str, Any]:
    from rlvr_audit.report.comparison_tables import gains_long_table
    from rlvr_audit.report.contamination_tables import contamination_summary_table
    from rlvr_audit.report.tables import print_table

    payload = result.to_dict()
    summary, missing = contamination
    payload["contamination"] = summary
    if summary is not None:
        tables = [*tables, contamination_summary_table(summary)]
    if missing:
        payload.setdefault("notes", []).append(missing)
    out.write(payload=payload, tables=tables, csv_tables=[gains_long_table(result)])
    if not out.to_stdout:
        for table in tables:
            print_table(table)
        for note in payload.get("notes", []):
            typer.secho(f"note: {note}", err=True, fg="yellow")
    if plot:
        _draw(result, plot)
    return payload


def register(app: typer.Typer) -> None:
    @app.command("compare")
    def compare_cmd(
        runs: list[Path] | None = typer.Argument(None, help="BASE_RUN TRAINED_RUN [MORE_RUNS...] (run directories)."),
        as_claimed: str | None = typer.Option(
            None, "--as-claimed", help="The claimed cell TEMPLATE:PROFILE (default: the trained run's manifest)."
        ),
        reported_baseline: float | None = typer.Option(
            None,
            "--reported-baseline",
            help="A reported base accuracy (points) for the claimed gain.",
            callback=opt.number_check("--reported-baseline", low=0, high=100, example="49.4"),
        ),
        claim: str | None = typer.Option(None, "--claim", help="A registry claim (see `rlvr-audit list claims`)."),
        claim_version: str | None = typer.Option(None, "--claim-version", help="Only this version of the claim."),
        baseline_policy: str = typer.Option(
            "best",
            "--baseline-policy",
            help="With --claim: the base number subtracted from the claimed trained accuracy. 'best' (default): "
            "the best published base (or the measured base run's best cell), a lower bound on the adjusted gain; "
            "'standardized': the standardised re-evaluation (64.3 for Qwen2.5-Math-7B on MATH-500); "
            "or a claim name / CLAIM:LABEL from `rlvr-audit list claims`.",
        ),
        profile: list[str] | None = opt.profile("Restrict to these profiles (repeat or a,b).", short=None),
        template: list[str] | None = opt.template("Restrict to these templates.", short=None),
        json_path: str | None = exports.json_option("the comparison (schema: docs/compare-json.md)"),
        csv_path: str | None = exports.csv_option("one row per trained run, plain numbers,"),
        markdown: str | None = exports.markdown_option(),
        latex: str | None = exports.latex_option(),
        json_out: Path | None = typer.Option(None, "--json-out", hidden=True, help="Old spelling of --json PATH."),
        plot: Path | None = opt.plot(
            "Draw claimed vs adjusted bars (FILE.png) and the per-cell gain heatmap (FILE-heatmap.png)."
        ),
        fail_if_adjusted_below: float | None = typer.Option(
            None,
            "--fail-if-adjusted-below",
            help="Exit 1 when an adjusted gain is below X points.",
            callback=opt.number_check("--fail-if-adjusted-below", low=-100, high=100, example="2.0"),
        ),
        fail_on_regression: bool = typer.Option(
            False, "--fail-on-regression", help="Exit 1 when a trained run is worse than base beyond the CI."
        ),
        level: float = typer.Option(0.95, "--level", help="Confidence level of the CIs."),
        n_boot: int = typer.Option(2000, "--n-boot", help="Bootstrap resamples."),
        seed: int = opt.seed("Bootstrap seed."),
        contamination: Path | None = typer.Option(
            None,
            "--contamination",
            help="A probe run (`rlvr-audit contamination`) of the base model, shown beside the gains "
            "(default: the newest matching probe beside the base run).",
        ),
        no_contamination: bool = typer.Option(
            False, "--no-contamination", help="Do not look for a contamination probe."
        ),
        force: bool = typer.Option(
            False,
            "--force",
            help="With --claim: use a base run of another model or benchmark anyway; every row is labelled "
            "'unmatched base'.",
        ),
    ) -> None:
        """Claimed vs adjusted gains of trained runs over a base run, with uncertainty.

        Verdicts: holds, shrinks, inconclusive (the adjusted CI spans both 0 and the claimed
        gain), vanishes (the CI includes 0), reverses (the CI is below 0); docs/compare-json.md.
        """
        from rlvr_audit.comparison.gates import Gates, tripped_gates

        if n_boot < 100:
            raise AuditError(f"--n-boot {n_boot} is too small for a CI", "pass --n-boot 1000 or more")
        also_json = None  # the old `--json --json-out F`: stdout and the file
        if json_out is not None:
            if json_path not in (None, exports.STDOUT):
                raise AuditError("--json PATH and --json-out PATH were both given", "pass --json PATH only")
            also_json = exports.Exports(json=str(json_out)) if json_path == exports.STDOUT else None
            json_path = json_path or str(json_out)
        out = exports.Exports(json=json_path, csv=csv_path, markdown=markdown, latex=latex)
        runs = runs or []
        profiles = opt.split_names(profile) or None
        bootstrap = {"level": level, "n_boot": n_boot, "seed": seed}
        if force and claim is None:
            raise AuditError("--force applies to --claim only", "drop --force, or pass --claim NAME with a base run")
        if claim is None and baseline_policy != "best":
            raise AuditError(
                "--baseline-policy applies to --claim only", "pass --claim NAME, or --reported-baseline X for runs"
            )
        if claim is not None:
            result, tables = _compare_claim(
                claim, runs, version=claim_version, policy=baseline_policy, profiles=profiles, force=force, **bootstrap
            )
        else:
            result, tables = _compare_runs(
                runs,
                as_claimed=as_claimed,
                reported_baseline=reported_baseline,
                profiles=profiles,
                templates=opt.split_names(template) or None,
                **bootstrap,
            )
        context = _contamination(contamination, no_contamination, runs[0] if runs else None)
        payload = _emit(
            result,
            tables,
            contamination=context,
            out=out,
            plot=plot,
        )
        if also_json is not None:
            also_json.write(payload=payload)
        tripped = tripped_gates(result, Gates(adjusted_below=fail_if_adjusted_below, on_regression=fail_on_regression))
        if tripped:
            raise GateFailure(tripped[0])


def _draw(result: Any, path: Path) -> None:
    from rlvr_audit.report.heatmaps import plot_gain_heatmap
    from rlvr_audit.report.plots import heatmap_path, plot_claimed_vs_adjusted

    plot_claimed_vs_adjusted(result, path)
    if not hasattr(result, "trained"):
        return
    for i in range(len(result.trained)):
        suffix = "heatmap" if len(result.trained) == 1 else f"heatmap-{i + 1}"
        plot_gain_heatmap(result, i, heatmap_path(path, suffix))
