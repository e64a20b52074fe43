"""`rlvr-audit cache info|clear`: the persistent verdict cache under $RLVR_AUDIT_HOME.

Entries are keyed by the profile's fingerprint, so stale ones are never served; they only
take space until the size cap ($RLVR_AUDIT_CACHE_MAX_MB) evicts them or `clear` drops them.
"""

from __future__ import annotations

import json

import typer

from rlvr_audit.cli import options as opt


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _print_info(info: dict) -> None:
    from rlvr_audit.report.tables import TableData, print_table

    typer.echo(f"path: {info['path']}")
    typer.echo(f"entries: {info['entries']:,}")
    typer.echo(
        f"size: {_mb(info['bytes'])} of entries, {_mb(info['bytes_on_disk'])} on disk; "
        f"cap {_mb(info['max_bytes'])} ($RLVR_AUDIT_CACHE_MAX_MB)"
    )
    if info["profiles"]:
        rows = [[p, e["verdicts"], e["steps"], e["fingerprints"]] for p, e in info["profiles"].items()]
        print_table(TableData(columns=["profile", "verdicts", "steps", "fingerprints"], rows=rows))


def register(app: typer.Typer) -> None:
    cache_app = typer.Typer(help="Inspect or clear the persistent verdict cache.", no_args_is_help=True)
    app.add_typer(cache_app, name="cache")

    @cache_app.command("info")
    def info_cmd(as_json: bool = opt.as_json("Print JSON to stdout.")) -> None:
        """Where the cache is, how big, and how many entries each profile has."""
        from rlvr_audit.grading.engine.cache import GradeCache

        cache = GradeCache.persistent()
        try:
            info = cache.info()
        finally:
            cache.close()
        if as_json:
            typer.echo(json.dumps(info, indent=2))
        else:
            _print_info(info)

    @cache_app.command("clear")
    def clear_cmd(
        profile: str | None = typer.Option(None, "--profile", "-p", help="Clear only this profile's entries."),
    ) -> None:
        """Delete cached verdicts (all, or one profile's) and give the space back."""
        from rlvr_audit.grading.engine.cache import GradeCache

        cache = GradeCache.persistent()
        try:
            removed = cache.clear(profile)
            path = cache.path
        finally:
            cache.close()
        which = f"of profile {profile} " if profile else ""
        typer.echo(f"removed {removed:,} cache entries {which}from {path}")
