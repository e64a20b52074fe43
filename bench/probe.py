"""Overhead of `rlvr-audit contamination` against bare `vllm.LLM.generate` on the same
prefixes with the same per-prompt budgets.

The probe (`run_probe`, target only, no answer continuations) splits every problem at each
ratio on the model's tokenizer, generates each prefix raw with a budget of the remainder's
token count, appends every finished continuation to the run store, then scores exact match
and ROUGE-L with bootstrap CIs and writes probe.json. The bare path generates the same
prefixes with the same budgets in the same process with the same engine (model load
excluded from both). Median of several alternating runs. The target is a generation phase
within 5% of the bare generation time; the rest of the call (splitting on the tokenizer,
the run store, ROUGE-L and bootstrap CIs, probe.json) is fixed work per prefix, reported in
ms: it does not grow with the model, so against a real model's generation it vanishes,
while against the tiny model's it is a visible share.

Usage (from the project root; a few minutes on 2 CPU cores):

    python bench/probe.py [--problems 64] [--repeats 5] [--n-boot 10000]
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
sys.path.insert(0, str(ROOT / "bench"))

from generation import SharedBackend  # noqa: E402  (sets the thread/offline environment too)

RATIOS = (0.4, 0.6, 0.8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=64, help="random-calculation problems probed")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n-boot", type=int, default=10_000, help="bootstrap resamples of the probe's CIs")
    parser.add_argument("--model", default=None, help="model (default: the tiny local model)")
    args = parser.parse_args()

    from rich.console import Console
    from rich.table import Table
    from vllm import SamplingParams

    import rlvr_audit.generation.backends as backends_pkg
    from rlvr_audit.benchmarks.registry import load_benchmark
    from rlvr_audit.generation.probe import load_probe_tokenizer, split_problem
    from rlvr_audit.generation.tiny_model import build_tiny_model
    from rlvr_audit.workflows.contamination import TOKEN_CAP, ProbeSpec, run_probe

    console = Console(width=150)
    work = Path(tempfile.mkdtemp(prefix="rlvr-bench-probe-"))
    os.environ.setdefault("RLVR_AUDIT_HOME", str(work / "home"))
    model = args.model or str(build_tiny_model(work / "tiny"))
    benchmark = f"random-calculation:n={args.problems},seed=7"

    t0 = time.perf_counter()
    backend = backends_pkg.get_backend("vllm", model)
    load_s = time.perf_counter() - t0
    llm = backend._llm

    problems = load_benchmark(benchmark).problems
    tokenizer = load_probe_tokenizer(model)
    splits = [split_problem(tokenizer, p.id, p.question, r) for r in RATIOS for p in problems]
    splits = [s for s in splits if s.status == "ok"]
    prefixes = [s.prefix for s in splits]
    params = [SamplingParams(temperature=0.0, max_tokens=min(s.remainder_tokens, TOKEN_CAP)) for s in splits]

    backends_pkg.get_backend = SharedBackend(backend)  # the probe imports it at call time

    def ours(i: int) -> tuple[float, float, float]:
        spec = ProbeSpec(
            model=model,
            benchmark=benchmark,
            ratios=RATIOS,
            control=None,
            answer_tokens=0,
            backend="vllm",
            out_dir=work / f"probe-{i}",
            n_boot=args.n_boot,
        )
        start = time.perf_counter()
        result = run_probe(spec, overwrite=True, progress=False)
        total = time.perf_counter() - start
        return total, result.generated.generate_seconds, float(result.generated.completion_tokens)

    def bare() -> tuple[float, int]:
        start = time.perf_counter()
        outputs = llm.generate(prefixes, params, use_tqdm=False)
        return time.perf_counter() - start, sum(len(o.outputs[0].token_ids) for o in outputs)

    bare()  # warm-up for both paths alike
    ours(-1)
    ours_s, gen_s, rest_s, bare_s, tokens = [], [], [], [], (0.0, 0)
    for i in range(args.repeats):  # alternate, so drift in machine load hits both
        b, bare_tokens = bare()
        o, g, our_tokens = ours(i)
        bare_s.append(b)
        ours_s.append(o)
        gen_s.append(g)
        rest_s.append(o - g)
        tokens = (our_tokens, bare_tokens)
    backend.close()

    med_o, med_b, med_g = statistics.median(ours_s), statistics.median(bare_s), statistics.median(gen_s)
    table = Table(
        title=f"contamination probe: {len(problems)} random-calculation problems x ratios {RATIOS} = "
        f"{len(prefixes)} prefixes, tiny model, vllm, median of {args.repeats} (model load {load_s:.1f} s excluded)"
    )
    for col in ("path", "median s", "min s", "max s", "completion tokens", "vs bare"):
        table.add_column(col, justify="right" if col != "path" else "left")

    def row(label: str, values: list[float], tokens_shown: str, ratio: str) -> None:
        table.add_row(
            label, f"{statistics.median(values):.2f}", f"{min(values):.2f}", f"{max(values):.2f}", tokens_shown, ratio
        )

    row("bare vllm.LLM.generate", bare_s, str(tokens[1]), "1.000")
    row("run_probe: generation phase", gen_s, str(int(tokens[0])), f"{med_g / med_b:.3f}")
    row(f"run_probe: split, store, score (n_boot {args.n_boot})", rest_s, "-", "-")
    row("run_probe: whole call", ours_s, str(int(tokens[0])), f"{med_o / med_b:.3f}")
    console.print(table)
    overhead = 100 * (med_g - med_b) / med_b
    verdict = "PASS" if overhead <= 5 else "FAIL"
    console.print(f"generation-phase overhead: {overhead:+.1f}% of bare generation time (target <= 5%): {verdict}")
    fixed = statistics.median(rest_s)
    console.print(
        f"fixed work outside generation: {fixed:.2f} s for {len(prefixes)} prefixes "
        f"({1000 * fixed / len(prefixes):.1f} ms each; does not grow with the model or the token count)"
    )


if __name__ == "__main__":
    main()
