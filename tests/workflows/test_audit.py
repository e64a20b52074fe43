"""`rlvr-audit audit`: plan parsing, the checks before anything runs (missing checkpoint,
unreachable Ray cluster), and, end to end with tiny models on the hf backend, a resume
that generates nothing and a failed job that leaves the other runs intact."""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
from pathlib import Path

import pytest
from audit_helpers import audit_options, tiny_checkpoints, write_digits

from rlvr_audit.cli.app import main
from rlvr_audit.cli.audit import build_plan
from rlvr_audit.core.errors import AuditError
from rlvr_audit.store.run import Run
from rlvr_audit.workflows.audit import run_audit
from rlvr_audit.workflows.audit_plan import ProbePlan, load_plan_file, plan_from_dict
from rlvr_audit.workflows.audit_ray import RayAddress, gpus_per_job, parse_address, worker_env

PLAN = """
claim = "spurious-rewards"
out = "{out}"
probe = true

[base]
model = "{base}"

[checkpoints]
random = "{ckpt}"
incorrect = {{ model = "org/incorrect-ckpt", revision = "abc" }}

[benchmark]
data_file = "{data}"
limit = 4

[grid]
templates = ["no-template"]
profiles = ["qwen25-math"]

[sampling]
temperature = 0.6
max_tokens = 64
samples = 2

[backend]
name = "vllm"
tensor_parallel_size = 4
options = {{ gpu_memory_utilization = 0.8 }}

[ray]
address = "auto"
cpus_per_job = 2
"""


def write_plan(tmp_path: Path, **values: str) -> Path:
    defaults = {
        "out": str(tmp_path / "audit"),
        "base": "tiny",
        "ckpt": str(tmp_path),
        "data": str(tmp_path / "d.jsonl"),
    }
    path = tmp_path / "plan.toml"
    path.write_text(PLAN.format(**{**defaults, **values}))
    return path


def test_plan_file_resolves_claim_defaults_and_every_table(tmp_path):
    plan = plan_from_dict(load_plan_file(write_plan(tmp_path)))
    assert plan.claim == "spurious-rewards"
    assert plan.as_claimed == ("qwen-math-chat", "ttrl")  # the claim's setting
    assert plan.templates == ("qwen-math-chat", "no-template")  # the claimed template comes first
    assert plan.profiles == ("ttrl", "qwen25-math")
    assert plan.benchmark == "math500"  # the claim's benchmark
    assert plan.limit == 4
    assert (plan.base.label, plan.base.model) == ("base", "tiny")
    assert [(c.label, c.model, c.revision) for c in plan.checkpoints] == [
        ("random", str(tmp_path.resolve()), None),
        ("incorrect", "org/incorrect-ckpt", "abc"),
    ]
    assert (plan.sampling.temperature, plan.sampling.max_tokens, plan.sampling.n) == (0.6, 64, 2)
    assert dict(plan.backend_options) == {"gpu_memory_utilization": 0.8, "tensor_parallel_size": 4}
    assert plan.tensor_parallel_size == 4
    assert plan.probe is not None and plan.probe.ratios == (0.4, 0.6, 0.8)
    assert (plan.ray.address, plan.ray.cpus_per_job) == ("auto", 2.0)
    assert plan.run_dir("random") == (tmp_path / "audit" / "runs" / "random").resolve()


def test_without_a_claim_the_base_model_is_required(tmp_path):
    with pytest.raises(AuditError, match="names no base model"):
        plan_from_dict({"out": str(tmp_path), "checkpoints": {"a": str(tmp_path)}})


def test_options_override_the_plan_file(tmp_path):
    given = {"max_tokens": 8, "checkpoint": ["extra=tiny"], "ray": "off", "probe": False, "template": ["r1"]}
    plan = build_plan(write_plan(tmp_path), given)
    assert plan.sampling.max_tokens == 8
    assert plan.sampling.temperature == 0.6  # from the file
    assert [c.label for c in plan.checkpoints] == ["random", "incorrect", "extra"]
    assert plan.ray is None and plan.probe is None
    assert plan.templates == ("qwen-math-chat", "r1")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"out": "x", "base": {"model": "tiny"}, "checkpoints": {}}, "names no checkpoint"),
        ({"out": "x", "base": {"model": "tiny"}, "checkpoints": {"a b": "tiny"}}, "not a plain name"),
        ({"out": "x", "base": {"model": "tiny", "label": "a"}, "checkpoints": {"a": "tiny"}}, "used twice"),
        ({"out": "x", "base": {"model": "tiny"}, "checkpoints": {"a": "tiny"}, "sampl": {}}, "unknown key 'sampl'"),
        ({"out": "x", "base": {"model": "tiny"}, "checkpoints": {"a": "tiny"}, "grid": {"tmpl": []}}, "'tmpl'"),
        ({"base": {"model": "tiny"}, "checkpoints": {"a": "tiny"}}, "names no output directory"),
        ({"out": "x", "base": {"model": "tiny"}, "checkpoints": {"a": "tiny"}, "as_claimed": "x"}, "TEMPLATE:PROFILE"),
        ({"out": "x", "base": {"model": "tiny"}, "checkpoints": {"a": 3}}, "must be a path"),
        ({"out": "x", "base": {"model": "tiny"}, "checkpoints": {"a": "tiny"}, "compare": {"n_boot": 5}}, "too small"),
    ],
)
def test_bad_plans_are_refused_with_the_fix(data, message):
    with pytest.raises(AuditError, match=message) as info:
        plan_from_dict(data)
    assert info.value.fix


def test_invalid_toml_is_one_line(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text("out = \n")
    assert main(["audit", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "is not valid TOML" in err and len(err.splitlines()) == 1


def test_a_missing_checkpoint_is_refused_before_anything_runs(tiny_model, tmp_path, capsys):
    out = tmp_path / "audit"
    args = ["audit", "--base", str(tiny_model), "--checkpoint", f"random={tmp_path / 'no-such-ckpt'}"]
    args += ["--benchmark", "random-calculation:n=4,seed=1", "--out", str(out), "--backend", "hf"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "checkpoint 'random'" in err and "does not exist" in err and "--checkpoint LABEL=PATH" in err
    assert "Traceback" not in err
    assert not out.exists()  # nothing ran, nothing was written


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("how", ["address", "auto"])
def test_an_unreachable_ray_cluster_is_one_line(how, tiny_model, tmp_path, capsys, monkeypatch):
    port = _closed_port()
    out = tmp_path / "audit"
    args = ["audit", "--base", str(tiny_model), "--checkpoint", f"a={tiny_model}", "--out", str(out)]
    args += ["--benchmark", "random-calculation:n=4,seed=1", "--backend", "hf"]
    if how == "auto":
        monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{port}")
        args += ["--ray", "auto"]
    else:
        args += ["--ray", f"127.0.0.1:{port}"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"127.0.0.1:{port} does not answer" in err and "ray start --head" in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("local", RayAddress("local")),
        ("10.0.0.5", RayAddress("10.0.0.5:6379", "10.0.0.5", 6379)),
        ("head-node:6380", RayAddress("head-node:6380", "head-node", 6380)),
        ("ray://head-node", RayAddress("ray://head-node:10001", "head-node", 10001)),
        ("ray://10.0.0.5:10002", RayAddress("ray://10.0.0.5:10002", "10.0.0.5", 10002)),
    ],
)
def test_ray_addresses(text, expected):
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["host:port", "host:0", ":6379", "http://x/y"])
def test_bad_ray_addresses(text):
    with pytest.raises(AuditError, match="--ray"):
        parse_address(text)


@pytest.mark.parametrize(
    ("backend", "tp", "cluster_gpus", "expected"),
    [("vllm", 4, 8, 4), ("vllm", 1, 8, 1), ("vllm", 4, 0, 0), ("hf", 4, 8, 1), ("hf", 1, 0, 0), ("openai", 2, 8, 0)],
)
def test_gpus_per_job(backend, tp, cluster_gpus, expected):
    assert gpus_per_job(backend, tp, cluster_gpus) == expected


def test_workers_get_the_settings_but_no_secrets():
    env = {"OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "HF_TOKEN": "hf_x", "VLLM_CPU_KVCACHE_SPACE": "1"}
    env |= {"RLVR_AUDIT_API_KEY": "k", "CUDA_VISIBLE_DEVICES": "0", "PATH": "/bin"}
    assert worker_env(env) == {"OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "1"}


# -- end to end, tiny models, hf backend ---------------------------------------------------


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    pytest.importorskip("transformers")
    return tiny_checkpoints(tmp_path_factory.mktemp("ckpts"))


@pytest.mark.slow
def test_audit_writes_ordinary_runs_and_a_rerun_generates_nothing(tiny_model, checkpoints, tmp_path, capsys):
    out = tmp_path / "audit"
    data = write_digits(tmp_path / "digits.jsonl")
    plan = build_plan(None, audit_options(tiny_model, checkpoints, data, out))
    # the probe, small: one ratio, 8-token answers, 4 control problems
    plan = dataclasses.replace(plan, probe=ProbePlan(ratios=(0.6,), answer_tokens=8, limit=4))
    first = run_audit(plan, progress=False)
    jobs = {j["label"]: j for j in first.document["jobs"]}
    assert list(jobs) == ["random", "truth", "base", "base-probe"]
    assert all(j["status"] == "finished" and j["executor"] == "local" for j in jobs.values())
    assert [j["prompts"] for j in jobs.values()][:3] == [16, 16, 16]  # 8 problems x 2 templates each
    assert jobs["base-probe"]["kind"] == "probe" and jobs["base-probe"]["prompts"] > 0
    probe = first.compare["contamination"]  # found beside the base run, as `compare` finds it
    assert probe is not None and probe["source"] == str(out / "runs" / "base-probe")
    assert probe["model"]["id"] == str(tiny_model) and probe["ratio"] == 0.6
    for label in ("random", "truth", "base"):
        run = Run.open(out / "runs" / label)
        assert run.name == label
        assert run.manifest.get("as_claimed") == {"template": "qwen-math-chat", "profile": "ttrl"}
        assert sorted(run.graded_profiles()) == ["qwen25-math", "ttrl"]
        assert len(run.generations()) == 8 * 2 * 2
    # compare.json is the document `rlvr-audit compare --json` prints for the same runs
    capsys.readouterr()
    assert (
        main(
            ["compare", str(out / "runs" / "base"), str(out / "runs" / "random"), str(out / "runs" / "truth"), "--json"]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == json.loads((out / "compare.json").read_text())
    report = json.loads((out / "report.json").read_text())
    assert [r["name"] for r in report["runs"]] == ["base", "random", "truth"]
    assert (out / "report.html").stat().st_size > 0

    second = run_audit(plan, progress=False)
    assert second.prompts_generated == 0
    assert not any(j["backend_loaded"] for j in second.document["jobs"])
    assert all(sum(g["added"].values()) == 0 for g in second.document["grading"].values())
    assert len(second.document["previous"]) == 1 and second.document["previous"][0]["status"] == "finished"
    assert second.compare == first.compare


@pytest.mark.slow
def test_a_failed_job_keeps_the_other_runs_and_a_rerun_resumes(tiny_model, checkpoints, tmp_path, capsys):
    out = tmp_path / "audit"
    data = write_digits(tmp_path / "digits.jsonl", count=4)
    broken = tmp_path / "broken"
    shutil.copytree(checkpoints["truth"], broken)
    config = json.loads((broken / "config.json").read_text())
    (broken / "config.json").write_text(json.dumps({**config, "model_type": "no-such-architecture"}))
    options = audit_options(tiny_model, {"random": checkpoints["random"], "broken": broken}, data, out)
    args = ["audit", "--quiet"]
    for key, value in options.items():
        for item in value if isinstance(value, list) else [value]:
            args += [f"--{key.replace('_', '-')}", str(item)]
    assert main(args) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]  # (transformers prints its bars)
    assert len(errors) == 1 and "job broken failed" in errors[0] and "rerun the same command" in errors[0]
    assert "Traceback" not in err
    log = json.loads((out / "audit.json").read_text())
    assert log["status"] == "failed"
    assert {j["label"]: j["status"] for j in log["jobs"]} == {
        "random": "finished",
        "broken": "failed",
        "base": "finished",
    }
    for label in ("random", "base"):  # finished and graded despite the failure
        assert len(Run.open(out / "runs" / label).grades("ttrl")) == 4 * 2 * 2  # problems x templates x samples
    assert not (out / "compare.json").exists()

    (broken / "config.json").write_text(json.dumps(config))  # the fix
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {j["label"]: j["prompts"] for j in doc["jobs"]} == {"random": 0, "broken": 8, "base": 0}
    assert doc["status"] == "finished" and (out / "compare.json").is_file()


def test_the_shipped_plan_and_the_documented_example_are_valid(tmp_path):
    from rlvr_audit.grading.registry import resolve_profiles
    from rlvr_audit.templates import get_template
    from rlvr_audit.workflows.audit_plan import _SCHEMA, ModelRef

    root = Path(__file__).resolve().parents[2]
    shipped = plan_from_dict(load_plan_file(root / "configs" / "audit-spurious-rewards.toml"))
    example = (root / "docs" / "audit.md").read_text().split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.toml").write_text(example)
    raw = load_plan_file(tmp_path / "example.toml")
    assert set(_SCHEMA) - set(raw) == {"as_claimed"}  # complete: every key but the claim's default
    documented = plan_from_dict(raw)
    for plan in (shipped, documented):
        assert plan.claim == "spurious-rewards" and plan.as_claimed == ("qwen-math-chat", "ttrl")
        assert plan.base.model == "Qwen/Qwen2.5-Math-7B"
        assert [c.label for c in plan.checkpoints] == ["ground-truth", "incorrect", "random", "format"]
        for name in plan.templates:
            get_template(name)
        assert resolve_profiles(list(plan.profiles)) == list(plan.profiles)
    assert documented.checkpoints[-1] == ModelRef("format", "my-org/qwen-math-7b-format-reward", "main")


def test_audit_json_keeps_no_api_key(tmp_path, monkeypatch):
    from rlvr_audit.workflows.audit import _AuditLog

    secret = "sk-test-4f9a8b7c6d"
    given = {"base": "org/base", "checkpoint": ["a=org/a"], "out": tmp_path / "audit", "backend": "openai"}
    given |= {"api_key": secret, "base_url": "http://user:pw-9x8y7z@127.0.0.1:8000/v1"}
    plan = build_plan(None, given)
    assert dict(plan.backend_options)["api_key"] == secret  # the jobs get it
    monkeypatch.setattr("sys.argv", ["rlvr-audit", "audit", "--api-key", secret, "--backend", "openai"])
    plan.out.mkdir(parents=True)
    log = _AuditLog(plan, {"kind": "local"})
    text = log.path.read_text()
    assert secret not in text and "pw-9x8y7z" not in text
    assert json.loads(text)["plan"]["backend"]["name"] == "openai"
