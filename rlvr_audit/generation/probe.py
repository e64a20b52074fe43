"""The contamination probe's prompts: each problem split at a token boundary of the model's
own tokenizer, the first part sent raw (no template), the rest kept to compare against.

Wu et al. 2025 (arXiv 2507.10532) give a model the first r of a problem and ask whether it
reproduces the remainder. A split is made on the tokenizer's ids: with N tokens, the first
k = round(r * N) (at least 1, at most N - 1) form the prefix. The prefix sent is the decoded
text of those ids. k steps back until that text is a prefix of the problem (a tokenizer
that normalises text, or ids that cut a multi-byte character, can break this) and encodes
back to the same k ids (a cut inside a word the tokenizer merges, e.g. "3|7" of "37",
would otherwise show the model a token sequence it never saw with this text). So the
prefix and the remainder always join to the exact problem text, and the model reads the
problem's own tokens. The budget of the continuation is the remainder's token count, N - k.

A problem too short to split (fewer than 2 tokens), or one with no clean split, is recorded
as such and left out of the probe's figures; the report counts them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError

__all__ = ["ProbeSplit", "load_probe_tokenizer", "split_problem"]


@dataclass(frozen=True)
class ProbeSplit:
    """One problem split at one ratio. `status`: "ok", "too_short" (< 2 tokens) or
    "no_clean_split" (no token boundary whose decoded prefix starts the text and
    re-encodes to the same ids)."""

    problem_id: str
    ratio: float
    status: str
    prefix: str = ""
    remainder: str = ""
    total_tokens: int = 0
    prefix_tokens: int = 0
    remainder_tokens: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProbeSplit:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def check_ratio(ratio: float) -> float:
    """A split ratio strictly between 0 and 1, else AuditError naming the fix."""
    try:
        value = float(ratio)
    except (TypeError, ValueError):
        raise AuditError(
            f"ratio {ratio!r} is not a number", "pass ratios between 0 and 1, e.g. --ratios 0.4,0.6,0.8"
        ) from None
    if not 0.0 < value < 1.0:
        raise AuditError(
            f"ratio {ratio} is outside (0, 1): the probe needs a prefix and a remainder",
            "pass ratios strictly between 0 and 1, e.g. --ratios 0.4,0.6,0.8",
        )
    return value


def _encode(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def _decode(tokenizer: Any, ids: list[int]) -> str:
    return tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)


def split_problem(tokenizer: Any, problem_id: str, text: str, ratio: float) -> ProbeSplit:
    """Split `text` after round(ratio * N) of its N tokens (see the module docstring)."""
    ratio = check_ratio(ratio)
    ids = _encode(tokenizer, text)
    n = len(ids)
    if n < 2:
        return ProbeSplit(problem_id, ratio, "too_short", total_tokens=n)
    k = min(n - 1, max(1, round(ratio * n)))
    for cut in range(k, 0, -1):
        prefix = _decode(tokenizer, ids[:cut])
        if prefix and text.startswith(prefix) and len(prefix) < len(text) and _encode(tokenizer, prefix) == ids[:cut]:
            return ProbeSplit(problem_id, ratio, "ok", prefix, text[len(prefix) :], n, cut, n - cut)
    return ProbeSplit(problem_id, ratio, "no_clean_split", total_tokens=n)


def load_probe_tokenizer(model: str, *, revision: str | None = None, tokenizer: str | None = None) -> Any:
    """The tokenizer the probe splits with: `tokenizer` when given (a directory or hub id),
    else the model's own. A model without one is refused before anything is generated."""
    from rlvr_audit.generation.models import resolve_model

    try:
        from transformers import AutoTokenizer
    except ImportError as exc:
        raise AuditError(
            f"the contamination probe needs transformers for the model's tokenizer ({exc})",
            "pip install 'rlvr-audit[hf]'",
        ) from exc
    if tokenizer:
        source, kwargs = tokenizer, {}
    else:
        resolved = resolve_model(model, revision)
        source = resolved.path_or_id
        kwargs = {"revision": resolved.revision} if resolved.revision and resolved.weights_hash is None else {}

    def missing(why: str) -> AuditError:
        return AuditError(
            f"found no tokenizer for {tokenizer or model} ({why}); the probe splits problems "
            "at the model's own token boundaries",
            "pass --tokenizer PATH_OR_ID naming the model's tokenizer",
        )

    local = Path(source)
    if local.is_dir() and not any((local / f).exists() for f in _TOKENIZER_FILES):
        raise missing(f"{local} has none of {', '.join(_TOKENIZER_FILES)}")
    try:
        loaded = AutoTokenizer.from_pretrained(source, **kwargs)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise missing(first[:160]) from exc
    if not _encode(loaded, "Find x.") or not _decode(loaded, _encode(loaded, "Find x.")):
        raise missing("it turns text into no tokens")
    return loaded


_TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "tokenizer_config.json")
