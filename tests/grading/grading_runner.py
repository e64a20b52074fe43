"""Test helper: judge many (profile, extracted, gold) triples in worker processes with a
per-item time limit (sympy's simplify can hang; no signal.alarm). A timed-out item is
reported as None and its worker pool is replaced."""

from __future__ import annotations

import multiprocessing as mp


def _judge(args):
    name, extracted, gold = args
    from rlvr_audit.grading.profiles import get_profile

    return get_profile(name).judge(extracted, gold)


def judge_many(name: str, pairs: list[tuple], processes: int = 2, limit_s: float = 20.0) -> dict:
    """{(extracted, gold): verdict or None on timeout} for the unique pairs given."""
    todo = sorted(set(pairs), key=lambda p: (str(p[0]), str(p[1])))
    results: dict = {}
    ctx = mp.get_context("spawn")
    while todo:
        pool = ctx.Pool(processes)
        try:
            handles = [(p, pool.apply_async(_judge, ((name, *p),))) for p in todo]
            todo = []
            for index, (pair, handle) in enumerate(handles):
                try:
                    results[pair] = handle.get(timeout=limit_s)
                except mp.TimeoutError:
                    results[pair] = None
                    todo = [p for p, _ in handles[index + 1 :]]  # restart without the stuck one
                    break
        finally:
            pool.terminate()
            pool.join()
    return results
