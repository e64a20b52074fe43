"""The one interface every generation backend implements, plus helpers they share.

A backend turns `Prompt`s into `Completion`s. `generate` submits all prompts at once and
yields each prompt's completions as soon as they are finished, so the caller can persist
results incrementally: a killed run loses only unfinished prompts.
"""

from __future__ import annotations

import gc
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Completion, Prompt, Sampling
from rlvr_audit.generation.models import resolve_model

# Seeds passed to samplers must fit a signed 63-bit integer (torch.Generator, vLLM).
_SEED_MOD = 2**63 - 1


class Backend(ABC):
    """A generation engine bound to one model.

    Subclasses set `name` and `OPTIONS` (the keyword options they accept) and implement
    `_generate`, `info` and `close`. `generate` runs the checks every backend shares
    first, so a backend sees only valid sampling, complete prompts and one seed per prompt.
    """

    name: str = ""
    OPTIONS: tuple[str, ...] = ()

    def __init__(self, model: str, *, revision: str | None = None, **options: Any):
        check_options(self.name, options, self.OPTIONS)
        self.model = model
        self.revision = revision
        self.options = options

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
        prompt_seed_list = prompt_seeds(prompts, sampling, seeds)
        for prompt in prompts:
            check_prompt(prompt)
        if not prompts:
            return
        for index, samples in self._generate(prompts, sampling, prompt_seed_list):
            # Greedy decoding gives one distinct sample; the caller still gets n of them.
            yield index, samples * (sampling.n // max(1, len(samples)))

    @abstractmethod
    def _generate(
        self, prompts: Sequence[Prompt], sampling: Sampling, seeds: list[int]
    ) -> Iterator[tuple[int, list[Completion]]]:
        """`generate` after the shared checks, for at least one prompt: yield (prompt
        index, its `distinct_samples(sampling)` completions) as each prompt finishes."""

    def prompt_text(self, prompt: Prompt) -> str:
        """The exact prompt as this backend sends it. A server renders chat messages with
        its own template, so they are recorded as canonical JSON (messages, prefill)."""
        check_prompt(prompt)
        if prompt.kind == "raw":
            return (prompt.text or "") + prompt.prefill
        import json

        messages = [{"role": role, "content": content} for role, content in prompt.messages or ()]
        return json.dumps({"messages": messages, "prefill": prompt.prefill}, ensure_ascii=False, sort_keys=True)

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


class LocalBackend(Backend):
    """A backend that loads the weights on this machine (hf, vllm): `model` is resolved
    to a directory or hub id, and `info` records the revision or a hash of the weights.

    Subclasses set `max_len` (prompt + completion tokens) once their engine knows it.
    """

    def __init__(self, model: str, *, revision: str | None = None, **options: Any):
        super().__init__(model, revision=revision, **options)
        self.resolved = resolve_model(model, revision)
        self.max_len: int | None = None

    def load_revision(self) -> dict[str, str]:
        """The loader's `revision` argument: only a pinned hub revision (local weights are
        identified by their hash instead)."""
        if self.resolved.revision and self.resolved.weights_hash is None:
            return {"revision": self.resolved.revision}
        return {}

    def load_error(self, engine: str, exc: Exception) -> AuditError:
        """The error to raise when `engine` cannot load the model."""
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return AuditError(
            f"{engine} could not load {self.model}: {first_line}",
            "check --model (a local directory, a cached hub id, or an alias: tiny, smollm2)",
        )

    def check_length(self, index: int, n_prompt: int, max_tokens: int) -> None:
        """Refuse a prompt that leaves no room for `max_tokens` within `max_len`."""
        if self.max_len and n_prompt + max_tokens > self.max_len:
            raise AuditError(
                f"prompt {index} has {n_prompt} tokens; with max_tokens={max_tokens} it exceeds "
                f"the model length {self.max_len}",
                "lower --max-tokens or raise the max_model_len backend option",
            )

    def prompt_text(self, prompt: Prompt) -> str:
        """The exact text the model sees, rendered with the loaded tokenizer's chat template."""
        tokenizer = getattr(self, "tokenizer", None) or getattr(self, "_tokenizer", None)
        return render_prompt(tokenizer, prompt) if tokenizer is not None else super().prompt_text(prompt)

    def model_facts(self) -> dict[str, Any]:
        """The part of `info` that says which weights answered."""
        return {
            "backend": self.name,
            "model": self.resolved.display_name,
            "path": self.resolved.path_or_id,
            "revision": self.resolved.revision,
            "weights_hash": self.resolved.weights_hash,
        }


def check_options(backend: str, options: Mapping[str, Any], allowed: Sequence[str]) -> None:
    """Refuse options the backend does not know, naming the ones it does."""
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise AuditError(
            f"unknown {backend} backend option(s): {', '.join(unknown)}", f"use only: {', '.join(allowed)}"
        )


def distinct_samples(sampling: Sampling) -> int:
    """How many different samples to decode per prompt: greedy ones are identical (and
    vLLM refuses n > 1 when greedy), so decode once."""
    return sampling.n if sampling.temperature > 0 else 1


def free_accelerator_memory() -> None:
    """Return a dropped model's memory: collect it, then empty the CUDA cache if any."""
    gc.collect()
    try:
        import torch
    except ImportError:
        return
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


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


def prompt_budget(prompt: Prompt, sampling: Sampling) -> int:
    """The completion budget of one prompt: its own `max_tokens` when set, else the sampling's."""
    return sampling.max_tokens if prompt.max_tokens is None else prompt.max_tokens


def check_prompt(prompt: Prompt) -> None:
    """A raw prompt needs text and a chat prompt needs messages; an own budget is >= 1."""
    if prompt.max_tokens is not None and (isinstance(prompt.max_tokens, bool) or int(prompt.max_tokens) < 1):
        raise AuditError(f"a prompt asks for max_tokens={prompt.max_tokens}", "give each prompt max_tokens >= 1")
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
