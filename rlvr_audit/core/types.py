"""Plain data types shared by every layer (no heavy imports here)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from rlvr_audit.core.errors import AuditError

Status = Literal["correct", "incorrect", "no_answer", "timeout", "error"]
STATUSES: tuple[Status, ...] = ("correct", "incorrect", "no_answer", "timeout", "error")


def stable_hash(obj: Any, length: int = 16) -> str:
    """Hex digest of a JSON-serialisable object, independent of dict order."""
    blob = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:length]


@dataclass(frozen=True)
class Problem:
    """One benchmark item. `answer` is the gold answer string as the benchmark stores it;
    `solution` the worked solution when the benchmark has one (some profiles take their
    gold from it)."""

    id: str
    question: str
    answer: str
    solution: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Sampling:
    """Generation settings. `n` samples per problem; `seed` makes sampling repeatable."""

    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 3072
    n: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        # Checked here, not per command, so every command and the Python API refuse the
        # same impossible settings; None stays allowed (a setting recorded as unknown).
        checks = (
            (self.n, lambda v: v >= 1, "samples per problem must be at least 1", "--samples 1"),
            (self.temperature, lambda v: v >= 0, "temperature must be 0 (greedy) or more", "--temperature 0"),
            (self.top_p, lambda v: 0 < v <= 1, "top_p must be in (0, 1]", "--top-p 1"),
            (self.max_tokens, lambda v: v >= 1, "max_tokens must be at least 1", "--max-tokens 3072"),
        )
        for value, ok, rule, example in checks:
            if value is not None and not ok(value):
                raise AuditError(f"{rule}, got {value}", f"pass e.g. {example}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def key(self) -> str:
        return stable_hash(self.to_dict())


@dataclass(frozen=True)
class Generation:
    """One completion for (problem, template, sample index). `prompt_hash` names the exact
    prompt text in the run's prompts.jsonl (None for imports and runs older than schema 2)."""

    problem_id: str
    template: str
    sample: int
    completion: str
    finish_reason: str | None = None  # "stop" | "length" | None when unknown
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    prompt_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Grade:
    """A profile's verdict on one completion.

    `extracted` is the answer the profile pulled out (None when it found none);
    `detail` carries the reason for `timeout`/`error`. Accuracy counts only `correct`;
    summaries count every other status separately, nothing is folded silently.
    """

    profile: str
    version: str
    status: Status
    extracted: str | None = None
    detail: str | None = None
    fingerprint: str | None = None  # the profile's identity digest; None: graded before fingerprints

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Prompt:
    """A rendered prompt, ready for a backend.

    `raw`: `text` is sent as is (to a completions endpoint). `chat`: `messages` are
    (role, content) pairs rendered by the backend with the model's chat template (or sent
    to a chat endpoint). `prefill` is the start of the assistant's response, appended
    after rendering; it is part of the prompt, not of the completion.
    """

    kind: Literal["chat", "raw"]
    text: str | None = None
    messages: tuple[tuple[str, str], ...] | None = None
    prefill: str = ""
    stop: tuple[str, ...] = ()
    include_stop: bool = False  # keep the matched stop string at the end of the completion
    # This prompt's own completion budget, in place of `Sampling.max_tokens` (the
    # contamination probe decodes exactly as many tokens as each problem's remainder has).
    max_tokens: int | None = None


@dataclass(frozen=True)
class Completion:
    """What a backend returns for one sample of one prompt."""

    text: str
    finish_reason: str | None = None  # "stop" | "length"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
