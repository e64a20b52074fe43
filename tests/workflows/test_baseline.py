"""run_baseline end to end with the hf backend and the tiny local model (5 problems)."""

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from rlvr_audit.analysis.grid import compute_grid
from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Sampling
from rlvr_audit.io.jsonl import read_jsonl
from rlvr_audit.store.run import Run
from rlvr_audit.templates import get_template
from rlvr_audit.workflows.baseline import (
    BaselineSpec,
    GenerationCount,
    effective_max_tokens,
    prompt_seed,
    run_baseline,
)

TEMPLATES = ("qwen-math-chat", "no-template")
QUESTIONS = [
    ("What is 2+3?", "5"),
    ("Compute 7*6.", "42"),
    ("Simplify 10/4.", "\\frac{5}{2}"),
    ("What is the square root of 81?", "9"),
    ("Solve x+1=0.", "-1"),
]


def write_problems(path: Path, count: int = len(QUESTIONS)) -> Path:
    with path.open("w") as fh:
        for i in range(count):
            q, a = QUESTIONS[i % len(QUESTIONS)]
            fh.write(
                json.dumps(
                    {"id": f"toy-{i}", "problem": q if i < len(QUESTIONS) else f"{q} (variant {i})", "answer": a}
                )
                + "\n"
            )
    return path


def make_spec(model, data_file, out_dir, **changes) -> BaselineSpec:
    base = dict(
        model=str(model),
        benchmark="toy",
        data_file=data_file,
        templates=TEMPLATES,
        profiles=("qwen25-math",),
        sampling=Sampling(max_tokens=8),
        backend="hf",
        out_dir=out_dir,
        grade_workers=1,
    )
    base.update(changes)
    return BaselineSpec(**base)


@pytest.fixture(scope="module")
def module_home(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RLVR_AUDIT_HOME", str(tmp_path_factory.mktemp("home")))
        yield


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    return write_problems(tmp_path_factory.mktemp("data") / "toy.jsonl")


@pytest.fixture(scope="module")
def greedy(tiny_model, data_file, tmp_path_factory, module_home):
    count = GenerationCount()
    spec = make_spec(
        tiny_model, data_file, tmp_path_factory.mktemp("runs") / "greedy", as_claimed=("no-template", "qwen25-math")
    )
    run = run_baseline(spec, progress=False, counter=count)
    return run, count, spec


@pytest.fixture(scope="module")
def sampled(tiny_model, data_file, tmp_path_factory, module_home):
    spec = make_spec(
        tiny_model,
        data_file,
        tmp_path_factory.mktemp("runs") / "sampled",
        templates=("no-template",),
        sampling=Sampling(max_tokens=8, temperature=1.0, n=2, seed=7),
    )
    return run_baseline(spec, progress=False), spec


def copy_run(run: Run, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(run.path, target)
    return target


def test_run_directory_is_complete(greedy):
    run, count, _ = greedy
    for name in ("run.json", "problems.jsonl", "generations.jsonl", "grades/qwen25-math.jsonl", "summary.json"):
        assert (run.path / name).is_file(), name
    gens = list(read_jsonl(run.path / "generations.jsonl"))
    assert len(gens) == len(QUESTIONS) * len(TEMPLATES)
    ids = [p.id for p in run.problems()]
    assert len(set(ids)) == 5
    assert {(g["problem_id"], g["template"]) for g in gens} == {(i, t) for i in ids for t in TEMPLATES}
    assert len(list(read_jsonl(run.path / "grades/qwen25-math.jsonl"))) == len(gens)
    assert (count.prompts, count.generations) == (10, 10)
    assert count.completion_tokens == sum(g["completion_tokens"] for g in gens) > 0
    assert count.templates == {"qwen-math-chat": 5, "no-template": 5}
    summary = json.loads((run.path / "summary.json").read_text())
    assert {(c["template"], c["profile"]) for c in summary["cells"]} == {(t, "qwen25-math") for t in TEMPLATES}


@pytest.mark.parametrize(
    ("path", "check"),
    [
        ("schema_version", lambda v: v == 2),
        ("model.weights_hash", lambda v: v.startswith("sha256:")),
        ("model.tokenizer_hash", lambda v: v.startswith("sha256:")),
        ("model.chat_template_hash", lambda v: v.startswith("sha256:")),
        ("sampling.known", lambda v: v is True),
        ("backend.generation_options", lambda v: v == {}),
        ("benchmark.size", lambda v: v == 5),
        ("benchmark.hash", lambda v: isinstance(v, str) and len(v) >= 8),
        ("sampling.max_tokens", lambda v: v == 8),
        ("backend.name", lambda v: v == "hf"),
        ("backend.versions.transformers", lambda v: bool(v)),
        ("backend.device", lambda v: v == "cpu"),
        ("hardware.cpu_count", lambda v: v >= 1),
        ("created_utc", lambda v: v.endswith("+00:00")),
        ("command", lambda v: isinstance(v, str) and v),
        ("as_claimed", lambda v: v == {"template": "no-template", "profile": "qwen25-math"}),
    ],
)
def test_manifest_fields(greedy, path, check):
    value = greedy[0].manifest
    for part in path.split("."):
        value = value[part]
    assert check(value), (path, value)


def test_prompts_are_stored_once_and_named_by_every_generation(greedy):
    from rlvr_audit.store.run import prompt_hash

    run = greedy[0]
    prompts = list(read_jsonl(run.path / "prompts.jsonl"))
    assert len(prompts) == len({(p["problem_id"], p["template"]) for p in prompts}) == len(QUESTIONS) * len(TEMPLATES)
    by_key = {(p["problem_id"], p["template"]): p for p in prompts}
    for p in prompts:
        assert p["prompt_hash"] == prompt_hash(p["prompt"])
    chat = by_key[(run.problems()[0].id, "qwen-math-chat")]["prompt"]
    assert "<|im_start|>" in chat and "What is 2+3?" in chat  # rendered with the chat template
    for g in read_jsonl(run.path / "generations.jsonl"):
        assert g["prompt_hash"] == by_key[(g["problem_id"], g["template"])]["prompt_hash"]
    assert json.loads((run.path / "summary.json").read_text())["schema_version"] == 2


def test_manifest_records_template_hashes(greedy):
    templates = greedy[0].manifest["templates"]
    assert list(templates) == list(TEMPLATES)
    for name in TEMPLATES:
        assert templates[name]["hash"] == get_template(name).hash
        assert templates[name]["max_tokens"] == 8  # the sampling cap is below every template's own


def test_rerun_generates_nothing(greedy, tmp_path):
    run, _, spec = greedy
    out = copy_run(run, tmp_path)
    before = (out / "generations.jsonl").read_bytes()
    count = GenerationCount()
    run_baseline(make_spec(spec.model, spec.data_file, out), progress=False, counter=count)
    assert (count.prompts, count.generations, count.backend_loaded) == (0, 0, False)
    assert (out / "generations.jsonl").read_bytes() == before


def test_adding_a_profile_generates_nothing(greedy, tmp_path):
    run, _, spec = greedy
    out = copy_run(run, tmp_path)
    count = GenerationCount()
    again = run_baseline(
        make_spec(spec.model, spec.data_file, out, profiles=("qwen25-math", "minerva")), progress=False, counter=count
    )
    assert count.prompts == 0 and not count.backend_loaded
    assert again.graded_profiles() == ["minerva", "qwen25-math"]
    assert len(again.grades("minerva")) == 10
    assert len(json.loads((out / "summary.json").read_text())["cells"]) == 4


@pytest.mark.parametrize(
    "changes",
    [dict(sampling=Sampling(max_tokens=8, temperature=0.5)), dict(sampling=Sampling(max_tokens=9))],
)
def test_changed_sampling_is_refused(greedy, tmp_path, changes):
    run, _, spec = greedy
    out = copy_run(run, tmp_path)
    with pytest.raises(AuditError) as info:
        run_baseline(make_spec(spec.model, spec.data_file, out, **changes), progress=False)
    assert "sampling" in info.value.message and "--overwrite" in info.value.fix


def test_overwrite_regenerates(greedy, tmp_path):
    run, _, spec = greedy
    out = copy_run(run, tmp_path)
    count = GenerationCount()
    new = run_baseline(
        make_spec(spec.model, spec.data_file, out, templates=("no-template",), sampling=Sampling(max_tokens=4)),
        overwrite=True,
        progress=False,
        counter=count,
    )
    assert count.prompts == 5
    assert {t for _, t, _ in new.generations()} == {"no-template"}
    assert all(g.completion_tokens <= 4 for g in new.generations().values())


def test_changed_template_budget_is_refused(greedy, tmp_path):
    """Same template text (same hash) but a smaller max_tokens would mix truncations."""
    run, _, spec = greedy
    out = copy_run(run, tmp_path)
    custom = tmp_path / "prompts"
    custom.mkdir()
    text = (Path(__file__).resolve().parents[2] / "prompts" / "no-template.toml").read_text()
    (custom / "no-template.toml").write_text(text.replace("max_tokens = 3000", "max_tokens = 4"))
    with pytest.raises(AuditError, match="max_tokens"):
        run_baseline(make_spec(spec.model, spec.data_file, out, templates_dir=(custom,)), progress=False)


def test_partial_run_resumes_to_the_same_texts(sampled, tmp_path):
    """Cut the generations file mid-record; the rerun fills exactly the gap, same texts."""
    run, spec = sampled
    out = copy_run(run, tmp_path)
    lines = (out / "generations.jsonl").read_bytes().split(b"\n")
    kept = b"\n".join(lines[:3]) + b"\n" + lines[3][: len(lines[3]) // 2]
    (out / "generations.jsonl").write_bytes(kept)
    count = GenerationCount()
    resumed = run_baseline(dataclasses.replace(spec, out_dir=out), progress=False, counter=count)
    # 3 whole records kept = prompt 0 (2 samples) + half of prompt 1: prompts 1..4 regenerate
    assert count.prompts == 4 and count.generations == 10 - 3
    assert {k: g.completion for k, g in resumed.generations().items()} == {
        k: g.completion for k, g in Run.open(run.path).generations().items()
    }


def test_samples_give_pass_and_maj_at_k(sampled):
    run, _ = sampled
    assert run.sampling.n == 2
    cell = json.loads((run.path / "summary.json").read_text())["cells"][0]
    assert set(cell["pass_at_k"]) == {"1", "2"} and set(cell["maj_at_k"]) == {"1", "2"}
    assert cell["pass_at_k"]["1"] == pytest.approx(cell["accuracy"], abs=0.01)
    assert cell["pass_at_k"]["2"] >= cell["pass_at_k"]["1"]
    from rlvr_audit.report.grid_tables import grid_sampling_table

    grid = compute_grid(run)
    assert grid_sampling_table(grid).columns[2:] == ["avg@2", "pass@1", "pass@2", "maj@1", "maj@2"]
    texts = [g.completion for g in run.generations().values()]
    assert len(set(texts)) > len(texts) // 2  # temperature 1: samples differ


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ((0, "p1", "t"), (0, "p1", "t"), True),
        ((0, "p1", "t"), (1, "p1", "t"), False),
        ((0, "p1", "t"), (0, "p2", "t"), False),
        ((0, "p1", "t"), (0, "p1", "u"), False),
    ],
)
def test_prompt_seed_depends_on_seed_problem_and_template(a, b, same):
    assert (prompt_seed(*a) == prompt_seed(*b)) is same
    assert 0 <= prompt_seed(*a) < 2**63 - 1


@pytest.mark.parametrize(
    ("cap", "own", "from_template", "expected"),
    [(3072, 256, True, 256), (3072, 20480, True, 3072), (100, 256, True, 100), (3072, 256, False, 3072)],
)
def test_effective_max_tokens(cap, own, from_template, expected):
    spec = BaselineSpec(model="m", sampling=Sampling(max_tokens=cap), max_tokens_from_template=from_template)

    class T:
        max_tokens = own

    assert effective_max_tokens(spec, T) == expected


@pytest.mark.parametrize(
    ("as_claimed", "message"),
    [(("qwen-boxed", "qwen25-math"), "template 'qwen-boxed'"), (("no-template", "dapo"), "profile 'dapo'")],
)
def test_as_claimed_must_be_in_the_grid(greedy, tmp_path, as_claimed, message):
    run, _, spec = greedy
    with pytest.raises(AuditError, match=message):
        run_baseline(make_spec(spec.model, spec.data_file, tmp_path / "x", as_claimed=as_claimed), progress=False)
    assert not (tmp_path / "x").exists()  # refused before anything was written


def test_secrets_are_not_recorded(monkeypatch):
    from rlvr_audit.workflows.baseline import _command_line, recorded_options

    assert recorded_options({"api_key": "sk-123", "base_url": "http://h/v1", "batch_size": 4}) == {
        "api_key": "***",
        "base_url": "http://h/v1",
        "batch_size": 4,
    }
    monkeypatch.setattr("sys.argv", ["rlvr-audit", "baseline", "--api-key", "sk-1", "--x", "--api-key=sk-2"])
    line = _command_line()
    assert "sk-" not in line and line.startswith("rlvr-audit baseline --api-key ***")
