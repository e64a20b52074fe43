"""Acceptance: the probe tells memory from no memory. A tiny model fine-tuned with plain
causal-LM training on 20 problems reproduces their endings (exact match >= 80% at ratio
0.6) and not those of 20 problems it never saw (<= 5%); the untrained model reproduces
neither (<= 5% on both)."""

from __future__ import annotations

import json

import pytest

from rlvr_audit.benchmarks.random_calculation import RandomCalculationParams, generate_rows
from rlvr_audit.workflows.contamination import ProbeSpec, run_probe

pytestmark = pytest.mark.slow


def _write(path, problems):
    # The expression alone, not the generator's long shared instruction: a prefix that ends
    # inside text all 20 problems share cannot tell the model which problem to continue, so
    # even perfect memory would not be a fair exact-match target there.
    path.write_text(
        "".join(
            json.dumps({"id": p["id"], "problem": f"Compute ${p['expression']}$.", "answer": p["answer"]}) + "\n"
            for p in problems
        )
    )
    return path


@pytest.fixture(scope="module")
def problem_files(tmp_path_factory):
    rows = generate_rows(RandomCalculationParams(n=40, steps=(4, 8), seed=123))
    base = tmp_path_factory.mktemp("probe-data")
    return _write(base / "seen.jsonl", rows[:20]), _write(base / "unseen.jsonl", rows[20:])


@pytest.fixture(scope="module")
def models(problem_files, tmp_path_factory):
    """(untrained, trained): the same tiny model before and after memorising seen.jsonl."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from rlvr_audit.generation.tiny_model import build_tiny_model

    base = tmp_path_factory.mktemp("probe-models")
    untrained = build_tiny_model(base / "untrained", hidden_size=128, num_layers=2, num_heads=4, seed=0)
    tok = AutoTokenizer.from_pretrained(untrained)
    model = AutoModelForCausalLM.from_pretrained(untrained, dtype=torch.float32)
    texts = [json.loads(line)["problem"].rstrip() for line in problem_files[0].read_text().splitlines()]
    eos = tok.eos_token_id if tok.eos_token_id is not None else tok.pad_token_id
    batch = [tok(t, add_special_tokens=False)["input_ids"] + [eos] for t in texts]
    width = max(len(ids) for ids in batch)
    pad = tok.pad_token_id if tok.pad_token_id is not None else eos
    input_ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids in batch])
    mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids in batch])
    labels = input_ids.masked_fill(mask == 0, -100)
    torch.manual_seed(0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(300):
        loss = model(input_ids=input_ids, attention_mask=mask, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    # Mean token loss cannot reach 0: the first digits after "Compute $" are a 1-in-20 guess
    # (~3 nats on 1 of ~30 tokens). Below 0.2 the rest is memorised; the probe checks it.
    assert loss.item() < 0.2, f"the model did not memorise its 20 problems (loss {loss.item():.3f})"
    trained = base / "trained"
    model.save_pretrained(trained)
    tok.save_pretrained(trained)
    return untrained, trained


def _probe(model, problem_files, out, backend):
    seen, unseen = problem_files
    spec = ProbeSpec(
        model=str(model),
        benchmark="seen",
        data_file=seen,
        ratios=(0.6,),
        control="unseen",
        control_file=unseen,
        answer_tokens=0,
        backend=backend,
        out_dir=out / "seen",
        control_out_dir=out / "unseen",
        n_boot=1000,
    )
    data = run_probe(spec, progress=False).data
    return data["per_ratio"]["0.6"], data["control"]["per_ratio"]["0.6"], data["verdict"]


@pytest.mark.parametrize("backend", ["hf", pytest.param("vllm", marks=pytest.mark.vllm)])
def test_memorised_problems_are_detected_and_unseen_ones_are_not(backend, models, problem_files, tmp_path):
    if backend == "vllm":
        pytest.importorskip("vllm")
    untrained, trained = models
    seen, unseen, verdict = _probe(trained, problem_files, tmp_path / "trained", backend)
    assert seen["n"] == 20 and unseen["n"] == 20
    assert seen["exact_match"]["mean"] >= 80.0
    assert unseen["exact_match"]["mean"] <= 5.0
    assert verdict["label"] == "memorised"

    seen0, unseen0, verdict0 = _probe(untrained, problem_files, tmp_path / "untrained", backend)
    assert seen0["exact_match"]["mean"] <= 5.0 and unseen0["exact_match"]["mean"] <= 5.0
    assert verdict0["label"] != "memorised"
