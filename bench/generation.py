"""Generation overhead of `rlvr-audit baseline` against a bare `vllm.LLM.generate`.

1. Overhead: the vllm backend on the tiny local model over MATH-500 x 1 template, through
   `run_baseline` (render, seed, stream, append each finished prompt to the run store,
   summary) vs `LLM.generate` on the same prompt texts in the same process, with the same
   engine (model load excluded from both). Median of several alternating runs; the target
   is overhead <= 5% of the bare generation time.
2. Generation counting: T templates x P profiles generates exactly T passes over the
   problems; adding a profile afterwards generates 0 prompts.

Usage (from the project root; a few minutes on 2 CPU cores):

    python bench/generation.py [--data-file ../shared/data/benchmarks/math500.jsonl]
        [--repeats 5] [--max-tokens 64] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

for _key, _value in {
    "OMP_NUM_THREADS": "1",
    "HF_HUB_OFFLINE": "1",
    "VLLM_ENABLE_V1_MULTIPROCESSING": "0",
    "VLLM_CPU_OMP_THREADS_BIND": "nobind",
    "VLLM_CPU_KVCACHE_SPACE": "2",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_key, _value)

TEMPLATE = "qwen-math-chat"


class SharedBackend:
    """Hands the same loaded engine to every run_baseline call (model load excluded)."""

    def __init__(self, backend):
        self.backend = backend

    def __call__(self, name, model, **options):
        inner = self.backend

        class _NoClose:
            def __getattr__(self, attr):
                return getattr(inner, attr)

            def close(self):  # keep the engine for the next repeat
                pass

        return _NoClose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-file", default=str(ROOT.parent / "shared" / "data" / "benchmarks" / "math500.jsonl"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--model", default=None, help="model (default: the tiny local model)")
    args = parser.parse_args()
    if not Path(args.data_file).is_file():
        sys.exit(f"no benchmark file at {args.data_file}; pass --data-file")

    from rich.console import Console
    from rich.table import Table
    from vllm import SamplingParams

    import rlvr_audit.generation.backends as backends_pkg
    import rlvr_audit.grading.engine.runs as regrade
    from rlvr_audit.benchmarks.registry import load_benchmark
    from rlvr_audit.core.types import Sampling
    from rlvr_audit.generation.backends.base import render_prompt
    from rlvr_audit.generation.tiny_model import build_tiny_model
    from rlvr_audit.templates import get_template, render
    from rlvr_audit.workflows.baseline import BaselineSpec, GenerationCount, run_baseline

    console = Console(width=150)
    work = Path(tempfile.mkdtemp(prefix="rlvr-bench-gen-"))
    os.environ.setdefault("RLVR_AUDIT_HOME", str(work / "home"))
    model = args.model or str(build_tiny_model(work / "tiny"))
    sampling = Sampling(max_tokens=args.max_tokens)  # greedy: both paths produce identical work
    benchmark = load_benchmark("math500", data_file=args.data_file, limit=args.limit)

    t0 = time.perf_counter()
    backend = backends_pkg.get_backend("vllm", model)
    load_s = time.perf_counter() - t0
    llm = backend._llm
    template = get_template(TEMPLATE)
    texts = [render_prompt(llm.get_tokenizer(), render(template, p)) for p in benchmark.problems]
    params = SamplingParams(temperature=0.0, max_tokens=args.max_tokens)

    shared = SharedBackend(backend)
    backends_pkg.get_backend = shared  # run_baseline imports it from the package at call time
    real_grade_run = regrade.grade_run
    regrade.grade_run = lambda run, profiles, **kw: {}  # grading is not generation: time it apart

    def ours(i: int) -> tuple[float, GenerationCount]:
        count = GenerationCount()
        spec = BaselineSpec(
            model=model,
            benchmark="math500",
            data_file=args.data_file,
            limit=args.limit,
            templates=(TEMPLATE,),
            profiles=("qwen25-math",),
            sampling=sampling,
            backend="vllm",
            out_dir=work / f"run-{i}",
        )
        start = time.perf_counter()
        run_baseline(spec, overwrite=True, progress=False, counter=count)
        return time.perf_counter() - start, count

    def bare() -> tuple[float, int]:
        start = time.perf_counter()
        outputs = llm.generate(texts, params, use_tqdm=False)
        return time.perf_counter() - start, sum(len(o.outputs[0].token_ids) for o in outputs)

    bare()  # warm-up (first-step allocations, prefix cache) for both paths alike
    ours(-1)
    ours_s, bare_s, tokens = [], [], (0, 0)
    for i in range(args.repeats):  # alternate, so drift in machine load hits both
        b, bare_tokens = bare()
        o, count = ours(i)
        bare_s.append(b)
        ours_s.append(o)
        tokens = (count.completion_tokens, bare_tokens)
    regrade.grade_run = real_grade_run

    med_o, med_b = statistics.median(ours_s), statistics.median(bare_s)
    table = Table(
        title=f"generation: {len(texts)} MATH-500 prompts x 1 template, tiny model, vllm, "
        f"max_tokens={args.max_tokens}, median of {args.repeats} (model load {load_s:.1f} s excluded)"
    )
    for col in ("path", "median s", "min s", "max s", "completion tokens", "vs bare"):
        table.add_column(col, justify="right" if col != "path" else "left")
    table.add_row(
        "bare vllm.LLM.generate", f"{med_b:.2f}", f"{min(bare_s):.2f}", f"{max(bare_s):.2f}", str(tokens[1]), "1.000"
    )
    table.add_row(
        "rlvr-audit run_baseline",
        f"{med_o:.2f}",
        f"{min(ours_s):.2f}",
        f"{max(ours_s):.2f}",
        str(tokens[0]),
        f"{med_o / med_b:.3f}",
    )
    console.print(table)
    overhead = 100 * (med_o - med_b) / med_b
    verdict = "PASS" if overhead <= 5 else "FAIL"
    console.print(f"overhead: {overhead:+.1f}% of bare generation time (target <= 5%): {verdict}")

    count_passes(console, model, args, work, backend)
    backend.close()


def count_passes(console, model, args, work, backend) -> None:
    """T templates x P profiles -> T generation passes; adding a profile -> 0."""
    from rich.table import Table

    from rlvr_audit.core.types import Sampling
    from rlvr_audit.workflows.baseline import BaselineSpec, GenerationCount, run_baseline

    templates = ("qwen-math-chat", "no-template", "qwen-boxed")
    limit = min(args.limit or 100, 100)
    table = Table(title=f"generation passes ({limit} problems)")
    for col in ("call", "templates", "profiles", "prompts generated", "per template", "completion tokens"):
        table.add_column(col)
    out = work / "passes"
    for label, profiles, overwrite in (
        ("first", ("qwen25-math", "math-verify", "minerva"), True),
        ("add a profile", ("qwen25-math", "math-verify", "minerva", "hendrycks"), False),
        ("rerun", ("qwen25-math", "math-verify", "minerva", "hendrycks"), False),
    ):
        count = GenerationCount()
        spec = BaselineSpec(
            model=model,
            benchmark="math500",
            data_file=args.data_file,
            limit=limit,
            templates=templates,
            profiles=profiles,
            sampling=Sampling(max_tokens=args.max_tokens),
            backend="vllm",
            out_dir=out,
        )
        run_baseline(spec, overwrite=overwrite, progress=False, counter=count)
        per = ", ".join(f"{t}={n}" for t, n in count.templates.items()) or "-"
        table.add_row(
            label, str(len(templates)), str(len(profiles)), str(count.prompts), per, str(count.completion_tokens)
        )
    console.print(table)


if __name__ == "__main__":
    main()
