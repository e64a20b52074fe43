"""`rlvr-audit audit [PLAN.toml]`: evaluate a base model and its RL checkpoints under the
claim's cell and the template grid, compare, report; one command, resumable (docs/audit.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from rlvr_audit.cli import exports
from rlvr_audit.cli import options as opt
from rlvr_audit.core.errors import AuditError

# Command-line option -> (plan table or None for a top-level key, key in it).
_PLAN_KEYS: dict[str, tuple[str | None, str]] = {
    "claim": (None, "claim"),
    "as_claimed": (None, "as_claimed"),
    "out": (None, "out"),
    "base": ("base", "model"),
    "benchmark": ("benchmark", "name"),
    "data_file": ("benchmark", "data_file"),
    "limit": ("benchmark", "limit"),
    "temperature": ("sampling", "temperature"),
    "top_p": ("sampling", "top_p"),
    "max_tokens": ("sampling", "max_tokens"),
    "samples": ("sampling", "samples"),
    "seed": ("sampling", "seed"),
    "backend": ("backend", "name"),
    "tensor_parallel_size": ("backend", "tensor_parallel_size"),
    "dtype": ("backend", "dtype"),
    "max_model_len": ("backend", "max_model_len"),
    "base_url": ("backend", "base_url"),
    "workers": ("grading", "workers"),
    "n_boot": ("compare", "n_boot"),
    "ray_cpus": ("ray", "num_cpus"),
}


def overrides_from_options(given: dict[str, Any]) -> dict[str, Any]:
    """The plan tables that the options given on the command line describe."""
    plan: dict[str, Any] = {}

    def put(table: str | None, key: str, value: Any) -> None:
        if table is None:
            plan[key] = value
        else:
            plan.setdefault(table, {})[key] = value

    for name, value in given.items():
        if name in _PLAN_KEYS and value is not None:
            table, key = _PLAN_KEYS[name]
            put(table, key, str(value) if isinstance(value, Path) else value)
    names = opt.split_names(given.get("template")) + opt.split_names(given.get("templates"))
    if names:
        put("grid", "templates", names)
    if given.get("profile"):
        put("grid", "profiles", opt.split_names(given["profile"]))
    if given.get("field"):
        put("benchmark", "fields", opt.parse_pairs(given["field"], "--field"))
    if given.get("checkpoint"):
        plan["checkpoints"] = parse_checkpoints(given["checkpoint"])
    if given.get("backend_option"):
        put("backend", "options", opt.parse_pairs(given["backend_option"], "--backend-option"))
    if given.get("api_key"):
        put("backend", "options", {**plan.get("backend", {}).get("options", {}), "api_key": given["api_key"]})
    if given.get("ray") in ("off", "none"):  # the local executor, whatever the plan file says
        plan["ray"] = None
    elif given.get("ray"):
        put("ray", "address", given["ray"])
    if "probe" in given:
        plan["probe"] = given["probe"]
    return plan


def parse_checkpoints(items: list[str]) -> dict[str, str]:
    """['random=PATH', ...] -> {'random': 'PATH'}; a label given twice is refused."""
    out: dict[str, str] = {}
    for item in items:
        label, sep, path = item.partition("=")
        if not sep or not label.strip() or not path.strip():
            raise AuditError(f"--checkpoint '{item}' is not LABEL=PATH", "pass e.g. --checkpoint random=ckpts/random")
        if label.strip() in out:
            raise AuditError(f"--checkpoint {label.strip()} is given twice", "give each checkpoint its own label")
        out[label.strip()] = path.strip()
    return out


def build_plan(plan_file: Path | None, given: dict[str, Any]) -> Any:
    """The AuditPlan of a plan file (if any) with the given options laid over it."""
    from rlvr_audit.workflows.audit_plan import load_plan_file, merge_plans, plan_from_dict

    data = load_plan_file(plan_file) if plan_file is not None else {}
    overrides = overrides_from_options(given)
    if "checkpoints" in overrides and isinstance(data.get("checkpoints"), dict):
        overrides["checkpoints"] = {**data["checkpoints"], **overrides["checkpoints"]}
    options = overrides.get("backend", {}).get("options")
    if options is not None:
        overrides["backend"]["options"] = {**(data.get("backend", {}).get("options") or {}), **options}
    if isinstance(overrides.get("probe"), bool) and isinstance(data.get("probe"), dict):
        overrides["probe"] = {**data["probe"], "enabled": overrides["probe"]}
    if overrides.get("ray") and isinstance(data.get("ray"), str):
        data = {**data, "ray": {"address": data["ray"]}}
    source = str(plan_file) if plan_file is not None else "the options"
    return plan_from_dict(merge_plans(data, overrides), source=source)


def _given(ctx: typer.Context, values: dict[str, Any]) -> dict[str, Any]:
    """The options the user typed (a default must not override the plan file)."""
    out = {}
    for name, value in values.items():
        source = ctx.get_parameter_source(name)
        if source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP"):
            out[name] = value
    return out


def _print(result: Any) -> None:
    from rlvr_audit.report.comparison_tables import cells_table, comparison_table
    from rlvr_audit.report.tables import print_table

    print_table(comparison_table(result.comparison))
    print_table(cells_table(result.comparison))
    for note in result.compare.get("notes", []):
        typer.secho(f"note: {note}", err=True, fg="yellow")
    outputs = result.document["outputs"]
    jobs = ", ".join(f"{r['label']} {r.get('prompts', 0)}" for r in result.document["jobs"])
    typer.echo(f"generated {result.prompts_generated} prompts this time ({jobs})")
    typer.echo(f"audit: {result.out / 'audit.json'}  compare: {outputs['compare']}  report: {outputs['report']}")


_EXPORTS = ("json_path", "csv_path", "markdown_path", "latex_path")


def register(app: typer.Typer) -> None:
    @app.command("audit")
    def audit_cmd(
        ctx: typer.Context,
        plan: Path | None = typer.Argument(None, help="A TOML plan (docs/audit.md); options override it."),
        claim: str | None = typer.Option(None, "--claim", help="A registry claim: its cell, model and benchmark."),
        base: str | None = typer.Option(None, "--base", help="The base model (default: the claim's model)."),
        checkpoint: list[str] | None = typer.Option(
            None, "--checkpoint", "-c", help="LABEL=PATH of an RL checkpoint (repeatable)."
        ),
        benchmark: str | None = opt.benchmark(None, "Benchmark (default: the claim's, else math500)."),
        data_file: Path | None = opt.data_file(),
        field: list[str] | None = typer.Option(None, "--field", help="ROLE=COLUMN mapping for --data-file."),
        limit: int | None = opt.limit(),
        template: list[str] | None = opt.template(),
        templates: str | None = typer.Option(None, "--templates", help="Comma-separated templates."),
        profile: list[str] | None = opt.profile(),
        as_claimed: str | None = typer.Option(
            None, "--as-claimed", help="TEMPLATE:PROFILE of the claim (default: the claim's setting)."
        ),
        temperature: float = opt.temperature(),
        top_p: float = opt.top_p(),
        max_tokens: int = opt.max_tokens(),
        samples: int = opt.samples(),
        seed: int = opt.seed("Sampling seed."),
        backend: str | None = opt.backend(),
        base_url: str | None = opt.base_url(),
        api_key: str | None = opt.api_key(),
        backend_option: list[str] | None = opt.backend_option(),
        dtype: str | None = opt.dtype(),
        max_model_len: int | None = opt.max_model_len(),
        tensor_parallel_size: int | None = typer.Option(
            None, "--tensor-parallel-size", min=1, help="GPUs per model (vllm); each Ray job asks for as many."
        ),
        probe: bool = typer.Option(
            False, "--probe/--no-probe", help="Also run the contamination probe on the base model."
        ),
        out: Path | None = opt.out("Output directory: runs/, compare.json, audit.json, report.html."),
        ray: str | None = typer.Option(
            None,
            "--ray",
            help="Run jobs on Ray: local (a new cluster here), auto (the running one), HOST:PORT; off: here, in turn.",
        ),
        ray_cpus: int | None = typer.Option(None, "--ray-cpus", min=1, help="CPUs of the --ray local cluster."),
        workers: int | None = opt.workers(),
        n_boot: int | None = typer.Option(None, "--n-boot", help="Bootstrap resamples (default 2000)."),
        json_path: str | None = exports.json_option("audit.json"),
        csv_path: str | None = exports.csv_option("the gains, one row per checkpoint,"),
        markdown_path: str | None = exports.markdown_option(),
        latex_path: str | None = exports.latex_option(),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    ) -> None:
        """Audit a claim in one command: base + checkpoints x templates x profiles, compared
        and reported; resumable; local or on Ray."""
        exported = exports.Exports(json=json_path, csv=csv_path, markdown=markdown_path, latex=latex_path)
        values = {k: v for k, v in locals().items() if k not in ("ctx", "plan", "quiet", "exported") + _EXPORTS}
        audit_plan = build_plan(plan, _given(ctx, values))
        from rlvr_audit.report.comparison_tables import cells_table, comparison_table, gains_long_table
        from rlvr_audit.workflows.audit import run_audit

        result = run_audit(audit_plan, progress=not quiet and not exported.to_stdout)
        tables = [comparison_table(result.comparison), cells_table(result.comparison)]
        exported.write(payload=result.document, tables=tables, csv_tables=[gains_long_table(result.comparison)])
        if not exported.to_stdout:
            _print(result)
