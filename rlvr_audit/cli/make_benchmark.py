"""`rlvr-audit make-benchmark random-calculation --out F.jsonl`: write a generated benchmark
to a file (docs/benchmarks-generated.md). The file then works as `baseline --data-file F`
and `train --data F`."""

from __future__ import annotations

from pathlib import Path

import typer

from rlvr_audit.core.errors import AuditError


def register(app: typer.Typer) -> None:
    @app.command("make-benchmark")
    def make_benchmark_cmd(
        generator: str = typer.Argument(..., help="Generator name: random-calculation."),
        n: int = typer.Option(500, "--n", help="Number of problems."),
        steps: str = typer.Option("1-20", "--steps", help="MIN-MAX operations per problem."),
        operands: str = typer.Option("1-100", "--operands", help="MIN-MAX of the integer operands."),
        seed: int = typer.Option(0, "--seed", help="Random seed (use different seeds for training and evaluation)."),
        out: Path = typer.Option(..., "--out", help="JSONL file to write."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out file."),
    ) -> None:
        """Generate a seeded, offline benchmark and write it as JSONL (atomically)."""
        from rlvr_audit.benchmarks import random_calculation as rc
        from rlvr_audit.benchmarks.generated import GENERATORS

        if generator not in GENERATORS:
            raise AuditError(f"'{generator}' is not a known generator", f"use one of: {', '.join(GENERATORS)}")
        params = rc.RandomCalculationParams(n=n, steps=steps, operands=operands, seed=seed)
        identity = rc.write_benchmark(params, out, overwrite=overwrite)
        typer.echo(f"wrote {out}: {params.n} problems, content hash {identity['hash']}")
