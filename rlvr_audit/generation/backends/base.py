"""The one interface every generation backend implements, plus helpers they share.

A backend turns `Prompt`s into `Completion`s. `generate` submits all prompts at once and
yields each prompt's completions as soon as they are finished, so the caller can persist
results incrementally: a killed run loses only unfinished prompts.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Completion, Prompt, Sampling

# Seeds passed to samplers must fit a signed 63-bit integer (torch.Generator, vLLM).
_SEED_MOD = 2**63 - 1


class Backend(ABC):
    """A generation engine bound to one model.

    Subclasses set `name` and implement `generate`, `info` and `close`. Options are
    backend-specific keyword arguments (dtype, max_model_len, base_url, ...).
    """

    name: str = ""

    def __init__(self, model: str, *, revision: str | None = None, **options: Any):
        self.model = model
        self.revision = revision
        self.options = options

    @abstractmethod
    def generate(
        self,
        prompts: Sequence[Prompt],
        sampling: Sampling,
        *,
        seeds: Sequence[int] | None = None,
    ) -> Iterator[tuple[int, list[Completion]]]:
        """Submit ALL prompts as one batch; yield (prompt index, sampling.n completions) as
        each prompt finishes, in any order.

        `seeds[i]` is prompt i's sampling seed (the caller derives it from
        (sampling.seed, problem id, template) so resumed runs reproduce uninterrupted
        ones); None derives one from `sampling.seed` and the index.
        """

    @abstractmethod
    def info(self) -> dict[str, Any]:
        """What produced the generations: {"backend", "model", "revision" or
        "weights_hash", "versions": {lib: version}, "device"}."""

    def close(self) -> None:
        """Free the model and any worker threads; the backend is unusable afterwards."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def prompt_seeds(prompts: Sequence[Prompt], sampling: Sampling, seeds: Sequence[int] | None) -> list[int]:
    """One seed per prompt: the caller's, or one derived from (sampling.seed, index)."""
    if seeds is None:
        return [(sampling.seed * 1_000_003 + i) % _SEED_MOD for i in range(len(prompts))]
    if len(seeds) != len(prompts):
        raise AuditError(
            f"got {len(seeds)} seeds for {len(prompts)} prompts",
            "pass one seed per prompt (or none)",
        )
    return [int(s) % _SEED_MOD for s in seeds]


def sample_seed(seed: int, sample: int) -> int:
    """The seed of sample `sample` of a prompt whose seed is `seed`."""
    return (seed * 1_000_003 + sample * 7919 + 1) % _SEED_MOD


def check_sampling(sampling: Sampling) -> None:
    """Reject settings no backend can honour, with the fix."""
    if sampling.n < 1:
        raise AuditError(f"n must be at least 1 (got {sampling.n})", "pass --n 1 or more")
    if sampling.max_tokens < 1:
        raise AuditError(f"max_tokens must be at least 1 (got {sampling.max_tokens})", "pass --max-tokens 1 or more")
    if sampling.temperature < 0:
        raise AuditError(f"temperature must be >= 0 (got {sampling.temperature})", "pass --temperature 0 for greedy")
    if not 0 < sampling.top_p <= 1:
        raise AuditError(f"top_p must be in (0, 1] (got {sampling.top_p})", "pass --top-p 1.0")


def check_prompt(prompt: Prompt) -> None:
    """A raw prompt needs text and a chat prompt needs messages."""
    if prompt.kind == "raw" and prompt.text is None:
        raise AuditError("a raw prompt has no text", "give raw templates a text field")
    if prompt.kind == "chat" and not prompt.messages:
        raise AuditError("a chat prompt has no messages", "give chat templates at least one message")
    if prompt.kind not in ("raw", "chat"):
        raise AuditError(f"unknown prompt kind {prompt.kind!r}", "use kind 'raw' or 'chat'")


def render_prompt(tokenizer: Any, prompt: Prompt) -> str:
    """The exact text the model sees: raw text as is, or the chat rendered with the
    tokenizer's chat template (generation prompt added), then the prefill."""
    check_prompt(prompt)
    if prompt.kind == "raw":
        return (prompt.text or "") + prompt.prefill
    if not getattr(tokenizer, "chat_template", None):
        raise AuditError(
            "the model's tokenizer has no chat template, so chat prompts cannot be rendered",
            "use a raw template (e.g. --template raw-*) or a model with a chat template",
        )
    messages = [{"role": role, "content": content} for role, content in prompt.messages or ()]
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return text + prompt.prefill


def encode_prompt(tokenizer: Any, prompt: Prompt) -> list[int]:
    """Token ids of the rendered prompt. Chat templates already contain any BOS token,
    so only raw prompts get the tokenizer's special tokens added."""
    text = render_prompt(tokenizer, prompt)
    return list(tokenizer(text, add_special_tokens=prompt.kind == "raw")["input_ids"])


def cut_at_stop(text: str, stop: Sequence[str], include_stop: bool) -> tuple[str, bool]:
    """Truncate `text` at the earliest stop string; return (text, whether one matched)."""
    best: tuple[int, str] | None = None
    for s in stop:
        if not s:
            continue
        pos = text.find(s)
        if pos >= 0 and (best is None or pos < best[0] or (pos == best[0] and len(s) > len(best[1]))):
            best = (pos, s)
    if best is None:
        return text, False
    pos, s = best
    return (text[: pos + len(s)] if include_stop else text[:pos]), True
