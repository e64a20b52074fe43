"""The profile interface.

A profile grades in three steps, each a pure function of strings so that it can run in a
worker process and its results can be cached:

1. ``prepare_gold(answer, solution)`` -> the gold string the harness compares against
   (its own gold handling: normalised once, taken from the solution's last box, ...).
2. ``extract(completion)`` -> ``Extraction``: what the harness pulls out of the model's
   text, already in the form ``judge`` consumes (normalised where the harness normalises).
3. ``judge(extracted, gold)`` -> bool: the comparator. Expensive (symbolic) work lives
   here; the pool caches it by ``(profile, gold, extracted)`` and times it out from outside.

``grade_local`` runs all three in-process with no time limit (tests, rewards on tiny data).

Benchmark-aware grading: a request may name its benchmark, and a profile whose harness
treats benchmarks differently (Qwen2.5-Math's `data_name`) says so through
``benchmark_variant``; the engine then hands that variant to the three steps
(``gold_step``, ``extract_step``, ``judge_step``) and keys cached results by it. A
profile that does not branch keeps the plain three methods and never sees the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlvr_audit.core.types import Grade, Problem


@dataclass(frozen=True)
class GradeRequest:
    """What a profile needs to grade one completion."""

    completion: str
    answer: str
    solution: str | None = None
    # The benchmark's registry name (math500, minerva, gsm8k, ...; None: unknown), for
    # profiles whose harness branches on it.
    benchmark: str | None = None
    # The gold's items when the benchmark stores a list (OlympiadBench `final_answer`);
    # `answer` then holds them joined with ", ".
    answers: tuple[str, ...] | None = None

    @classmethod
    def for_problem(cls, problem: Problem, completion: str, benchmark: str | None = None) -> GradeRequest:
        """The request for one completion of `problem` (a list gold's items come from
        `meta["answer_raw"]`, where the benchmark loader keeps them)."""
        raw = problem.meta.get("answer_raw") if problem.meta else None
        items = tuple(str(v).strip() for v in raw) if isinstance(raw, list) and raw else None
        return cls(completion, problem.answer, problem.solution, benchmark, items)


@dataclass(frozen=True)
class Extraction:
    """`answer` feeds `judge`; `found` is False when the harness found no answer
    (then a False verdict becomes status `no_answer`, not `incorrect`); `shown` is a
    human-readable form for reports (defaults to `answer`)."""

    answer: str | None
    found: bool
    shown: str | None = None


class Profile:
    """Base class; subclasses set the class attributes and override the three steps."""

    name: str = ""
    harness: str = ""  # the public harness whose verdicts this reproduces
    description: str = ""  # one line
    version: str = "1"  # bump when a verdict can change
    notes: str = ""  # where verdicts may differ from the original (library versions, guards)
    # `libraries`: distributions whose versions can change verdicts; unset = the built-in
    # table in grading.identity, or every math library for a plug-in.
    # `exact_benchmarks`: the benchmarks whose every branch of the harness this profile
    # reproduces (for `list profiles`); None = not stated.
    exact_benchmarks: tuple[str, ...] | None = None
    # Whether the gold step wants the gold's list items (`GradeRequest.answers`).
    uses_answer_items: bool = False

    @property
    def fingerprint(self) -> str:
        """Digest of this profile's identity (`rlvr_audit.grading.identity`); part of every
        grade and cache key, so a new version or library never reuses an old verdict."""
        from rlvr_audit.grading.identity import fingerprint  # identity imports this module

        return fingerprint(self)

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        return answer

    def benchmark_variant(self, benchmark: str | None) -> str | None:
        """How the harness treats `benchmark` (e.g. Qwen's data_name), or None when this
        profile's verdicts do not depend on the benchmark (the default)."""
        return None

    # The engine calls these three; they default to the plain steps, so a profile that
    # does not branch on the benchmark (a plug-in too) only writes those.
    def gold_step(
        self,
        answer: str,
        solution: str | None = None,
        answers: tuple[str, ...] | None = None,
        variant: str | None = None,
    ) -> str:
        return self.prepare_gold(answer, solution)

    def extract_step(self, completion: str, variant: str | None = None) -> Extraction:
        return self.extract(completion)

    def judge_step(self, extracted: str | None, gold: str, variant: str | None = None) -> bool:
        return self.judge(extracted, gold)

    def extract(self, completion: str) -> Extraction:
        raise NotImplementedError

    def judge(self, extracted: str | None, gold: str) -> bool:
        raise NotImplementedError

    def make_grade(self, extraction: Extraction, verdict: bool) -> Grade:
        """Turn an extraction and a verdict into a Grade with the right status."""
        if verdict:
            status = "correct"
        elif not extraction.found:
            status = "no_answer"
        else:
            status = "incorrect"
        shown = extraction.shown if extraction.shown is not None else extraction.answer
        return Grade(self.name, self.version, status, shown, fingerprint=self.fingerprint)

    def grade_local(self, request: GradeRequest) -> Grade:
        """Grade in this process, with no time limit. Exceptions become status `error`."""
        variant = self.benchmark_variant(request.benchmark)
        answers = request.answers if self.uses_answer_items else None
        try:
            gold = self.gold_step(request.answer, request.solution, answers, variant)
            extraction = self.extract_step(request.completion, variant)
            verdict = self.judge_step(extraction.answer, gold, variant)
        except Exception as exc:  # a grade always has a status
            return Grade(self.name, self.version, "error", None, f"{type(exc).__name__}: {exc}", self.fingerprint)
        return self.make_grade(extraction, verdict)
