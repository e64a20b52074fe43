"""A tiny Qwen2-style model and tokenizer built locally in seconds, for tests, benchmarks
and CPU smoke runs. Random weights: it produces text, not answers.

Shapes respect vLLM's CPU attention (head size 32 or more).
"""

from __future__ import annotations

import json
from pathlib import Path

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# ChatML, with Qwen2.5-Math's default system prompt when none is given.
CHAT_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>system\\nPlease reason step by step, and put your final answer "
    "within \\\\boxed{}.<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if message['role'] != 'system' %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)

_CORPUS = [
    "Please reason step by step, and put your final answer within \\boxed{}.",
    "What is the value of $\\frac{1}{2} + \\frac{1}{3}$? The answer is \\boxed{\\frac{5}{6}}.",
    "Let x be a real number such that x^2 - 5x + 6 = 0. Find the sum of all solutions.",
    "The final answer is $42$. I hope it is correct. Answer: 7",
    "<think> reasoning process here </think> <answer> answer here </answer>",
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many.",
    "Let's solve this using Python. ```python\nprint(2 + 2)\n```",
    "0123456789 + - * / = ( ) [ ] { } \\sqrt \\pi \\cdot \\left \\right",
]


def build_tiny_model(
    path: str | Path,
    *,
    hidden_size: int = 64,
    num_layers: int = 2,
    num_heads: int = 2,
    vocab_size: int = 512,
    seed: int = 0,
) -> Path:
    """Write a random-weight Qwen2ForCausalLM and its tokenizer to `path`; return it.

    Idempotent: an existing build at `path` is reused.
    """
    path = Path(path)
    if (path / "config.json").exists() and (path / "tokenizer.json").exists():
        return path
    path.mkdir(parents=True, exist_ok=True)

    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        bos_token=None,
        unk_token=None,
        additional_special_tokens=["<|im_start|>"],
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.model_max_length = 4096
    fast.save_pretrained(path)

    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(fast),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 2,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_heads,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        bos_token_id=fast.convert_tokens_to_ids("<|endoftext|>"),
        eos_token_id=fast.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=fast.pad_token_id,
        torch_dtype="float32",
    )
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = config.eos_token_id
    model.generation_config.pad_token_id = config.pad_token_id
    model.save_pretrained(path, safe_serialization=True)
    (path / "README.md").write_text(
        "Tiny random-weight Qwen2 model built by rlvr_audit.generation.tiny_model.build_tiny_model.\n"
    )
    json.loads((path / "config.json").read_text())  # sanity: valid JSON written
    return path
