"""transformers backend: `model.generate` in left-padded batches, on CPU or CUDA.

Sampling draws each row's token with that row's own `torch.Generator`, seeded from
(prompt seed, sample index), in a logits processor that leaves one finite logit, and
generate then picks it greedily. So a prompt's samples depend on its seed only, not on
which other prompts share its batch; a resumed run reproduces an uninterrupted one. (The
n samples of a prompt are therefore expanded as rows ourselves instead of through
`num_return_sequences`, which greedy decoding refuses.)

Prompts with different stop strings go to different batches: generate's stop criteria
apply to every row of a batch. Prompts with their own budgets (`Prompt.max_tokens`) are
batched by budget; a batch decodes for its largest budget and each row is cut back to its
own, which is what decoding that row alone with its budget gives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Completion, Prompt, Sampling
from rlvr_audit.generation.backends.base import (
    LocalBackend,
    cut_at_stop,
    distinct_samples,
    encode_prompt,
    free_accelerator_memory,
    prompt_budget,
    sample_seed,
)


class HFBackend(LocalBackend):
    """Generation with transformers. Options: device ("cpu", "cuda", "auto"), dtype
    ("auto": bfloat16 on CUDA, float32 on CPU), batch_size (rows per forward pass),
    max_model_len (prompt + max_tokens limit; default: the model's position limit)."""

    name = "hf"
    OPTIONS = ("device", "dtype", "batch_size", "max_model_len", "trust_remote_code", "attn_implementation")

    def __init__(self, model: str, *, revision: str | None = None, **options: Any):
        super().__init__(model, revision=revision, **options)
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise AuditError(
                f"the hf backend needs torch and transformers ({exc})", "pip install 'rlvr-audit[hf]'"
            ) from exc

        device = options.get("device", "auto")
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = options.get("dtype", "auto")
        if dtype == "auto":
            dtype = "bfloat16" if device.startswith("cuda") else "float32"
        self.device = device
        self.batch_size = int(options.get("batch_size", 16))
        load_kwargs: dict[str, Any] = {
            "trust_remote_code": bool(options.get("trust_remote_code", False)),
            **self.load_revision(),
        }
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.resolved.path_or_id, **load_kwargs)
            model_kwargs = dict(load_kwargs, dtype=getattr(torch, dtype))
            if options.get("attn_implementation"):
                model_kwargs["attn_implementation"] = options["attn_implementation"]
            self.lm = AutoModelForCausalLM.from_pretrained(self.resolved.path_or_id, **model_kwargs)
        except (OSError, ValueError) as exc:
            raise self.load_error("transformers", exc) from exc
        self.lm.to(device).eval()
        self.tokenizer.padding_side = "left"
        eos = self.lm.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        self.eos_ids = set(eos if isinstance(eos, list) else [eos]) - {None}
        pad = self.tokenizer.pad_token_id
        self.pad_id = pad if pad is not None else next(iter(self.eos_ids), 0)
        self.max_len = options.get("max_model_len") or getattr(self.lm.config, "max_position_embeddings", None)

    def _generate(
        self, prompts: Sequence[Prompt], sampling: Sampling, seeds: list[int]
    ) -> Iterator[tuple[int, list[Completion]]]:
        encoded = [encode_prompt(self.tokenizer, p) for p in prompts]
        budgets = [prompt_budget(p, sampling) for p in prompts]
        for i, ids in enumerate(encoded):
            self.check_length(i, len(ids), budgets[i])
        rows_per_prompt = distinct_samples(sampling)
        per_batch = max(1, self.batch_size // rows_per_prompt)
        groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i, p in enumerate(prompts):
            groups[tuple(p.stop)].append(i)
        for stop, indices in groups.items():
            # Similar budgets, then similar lengths: less wasted decoding and padding.
            indices.sort(key=lambda i: (-budgets[i], -len(encoded[i])))
            for start in range(0, len(indices), per_batch):
                chunk = indices[start : start + per_batch]
                rows = self._generate_rows(
                    [encoded[i] for i in chunk],
                    [seeds[i] for i in chunk],
                    rows_per_prompt,
                    sampling,
                    stop,
                    max(budgets[i] for i in chunk),
                )
                for k, i in enumerate(chunk):
                    n_prompt = len(encoded[i])
                    rows_of_prompt = rows[k * rows_per_prompt : (k + 1) * rows_per_prompt]
                    yield i, [self._completion(row[: budgets[i]], prompts[i], n_prompt) for row in rows_of_prompt]

    def _generate_rows(
        self,
        prompt_ids: list[list[int]],
        seeds: list[int],
        rows_per_prompt: int,
        sampling: Sampling,
        stop: tuple[str, ...],
        max_new_tokens: int,
    ) -> list[list[int]]:
        import torch
        from transformers import GenerationConfig, LogitsProcessorList

        row_ids = [ids for ids in prompt_ids for _ in range(rows_per_prompt)]
        width = max(len(ids) for ids in row_ids)
        input_ids = torch.full((len(row_ids), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros_like(input_ids)
        for r, ids in enumerate(row_ids):
            if ids:
                input_ids[r, width - len(ids) :] = torch.tensor(ids)
                mask[r, width - len(ids) :] = 1
        # A fresh config: the model's own defaults (top_k=50, repetition penalty, ...)
        # would make backends disagree on the same Sampling.
        config = GenerationConfig(
            max_new_tokens=max_new_tokens,
            do_sample=False,
            num_beams=1,
            eos_token_id=sorted(self.eos_ids) or None,
            pad_token_id=self.pad_id,
            stop_strings=list(stop) or None,
        )
        processors = LogitsProcessorList()
        if sampling.temperature > 0:
            row_seeds = [sample_seed(s, j) for s in seeds for j in range(rows_per_prompt)]
            processors.append(_SeededSampler(row_seeds, sampling.temperature, sampling.top_p, self.device))
        kwargs: dict[str, Any] = {}
        if stop:
            kwargs["tokenizer"] = self.tokenizer  # generate builds stop criteria with it
        with torch.no_grad():
            out = self.lm.generate(
                input_ids=input_ids.to(self.device),
                attention_mask=mask.to(self.device),
                generation_config=config,
                logits_processor=processors,
                **kwargs,
            )
        return out[:, width:].tolist()

    def _completion(self, tokens: list[int], prompt: Prompt, n_prompt: int) -> Completion:
        end = next((k for k, t in enumerate(tokens) if t in self.eos_ids), None)
        body = tokens if end is None else tokens[:end]
        text = self._decode(body)
        cut, matched = cut_at_stop(text, prompt.stop, prompt.include_stop)
        if matched:
            return Completion(cut, "stop", n_prompt, self._tokens_until_stop(body, prompt.stop))
        if end is not None:
            return Completion(text, "stop", n_prompt, end + 1)  # the EOS token counts, as in vLLM
        return Completion(text, "length", n_prompt, len(body))

    def _decode(self, tokens: list[int]) -> str:
        return self.tokenizer.decode(tokens, skip_special_tokens=True)

    def _tokens_until_stop(self, body: list[int], stop: Sequence[str]) -> int:
        """Fewest leading tokens whose text contains a stop string (binary search: once a
        prefix contains one, every longer prefix does)."""
        lo, hi = 1, len(body)
        while lo < hi:
            mid = (lo + hi) // 2
            if cut_at_stop(self._decode(body[:mid]), stop, False)[1]:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def info(self) -> dict[str, Any]:
        import torch
        import transformers

        device = self.device
        if device.startswith("cuda") and torch.cuda.is_available():
            device = torch.cuda.get_device_name(torch.device(device))
        return {
            **self.model_facts(),
            "versions": {"transformers": transformers.__version__, "torch": torch.__version__},
            "device": device,
            "dtype": str(self.lm.dtype).replace("torch.", ""),
        }

    def close(self) -> None:
        if getattr(self, "lm", None) is None:
            return
        self.lm = None
        free_accelerator_memory()


class _SeededSampler:
    """Logits processor that samples each row with its own generator (temperature, top-p)
    and returns logits where only the drawn token is finite."""

    def __init__(self, seeds: list[int], temperature: float, top_p: float, device: str):
        import torch

        self.temperature = temperature
        self.top_p = top_p
        self.generators = [torch.Generator(device=device).manual_seed(s) for s in seeds]

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        logits = scores.float() / self.temperature
        if self.top_p < 1.0:
            sorted_logits, order = torch.sort(logits, descending=True, dim=-1)
            probs = sorted_logits.softmax(dim=-1)
            # Drop a token when the mass before it already reaches top_p (keeps >= 1).
            drop = probs.cumsum(dim=-1) - probs >= self.top_p
            sorted_logits = sorted_logits.masked_fill(drop, float("-inf"))
            logits = torch.full_like(logits, float("-inf")).scatter(-1, order, sorted_logits)
        probs = logits.softmax(dim=-1)
        out = torch.full_like(scores, float("-inf"))
        for r, gen in enumerate(self.generators):
            token = torch.multinomial(probs[r], 1, generator=gen)
            out[r, token] = 0.0
        return out
