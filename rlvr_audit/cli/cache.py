"""`rlvr-audit cache info|clear`: the persistent verdict cache under $RLVR_AUDIT_HOME.

Entries are keyed by the profile's fingerprint, so stale ones are never served; they only
take space until the size cap ($RLVR_AUDIT_CACHE_MAX_MB) evicts them or `clear` drops them.
"""

from __future__ import annotations

from typing import Any

import typer

from rlvr_audit.cli import exports


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _profiles_table(info: dict) -> Any:
    from rlvr_audit.report.tables import TableData

    rows = [[p, e["verdicts"], e["steps"], e["fingerprints"]] for p, e in info["profiles"].items()]
    return TableData(columns=["profile", "verdicts", "steps", "fingerprints"], rows=rows, title="cached per profile")


def _print_info(info: dict) -> None:
    from rlvr_audit.report.tables import print_table

    typer.echo(f"path: {info['path']}")
    typer.echo(f"entries: {info['entries']:,}")
    typer.echo(
        f"size: {_mb(info['bytes'])} of entries, {_mb(info['bytes_on_disk'])} on disk; "
        f"cap {_mb(info['max_bytes'])} ($RLVR_AUDIT_CACHE_MAX_MB)"
    )
    if info["profiles"]:
        print_table(_profiles_table(info))


def register(app: typer.Typer) -> None:
    cache_app = typer.Typer(help="Inspect or clear the persistent verdict cache.", no_args_is_help=True)
    app.add_typer(cache_app, name="cache")

    @cache_app.command("info")
    def info_cmd(
        json_path: str | None = exports.json_option("the cache's facts"),
        csv_path: str | None = exports.csv_option("the per-profile table"),
        markdown_path: str | None = exports.markdown_option("the per-profile table"),
        latex_path: str | None = exports.latex_option("the per-profile table"),
    ) -> None:
        """Where the cache is, how big, and how many entries each profile has."""
        from rlvr_audit.grading.engine.cache import GradeCache

        exported = exports.Exports(json=json_path, csv=csv_path, markdown=markdown_path, latex=latex_path)
        cache = GradeCache.persistent()
        try:
            info = cache.info()
        finally:
            cache.close()
        exported.write(payload=info, tables=[_profiles_table(info)])
        if not exported.to_stdout:
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
