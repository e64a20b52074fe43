"""A test-only profile that spends CPU time on every judgement (the worker processes
unpickle it by module name), so a tiny --timeout times out every item, deterministically."""

from __future__ import annotations

import time

from rlvr_audit.grading.base import Extraction, Profile

BURN_S = 0.3  # CPU seconds per judgement: far above 0.01, far below the default 5


class SlowEchoProfile(Profile):
    """Extracts the stripped completion; correct when it equals the gold, after BURN_S of CPU."""

    name = "slow-echo"
    version = "1"
    libraries = ()

    def extract(self, completion: str) -> Extraction:
        text = completion.strip()
        return Extraction(text or None, bool(text))

    def judge(self, extracted, gold: str) -> bool:
        start = time.process_time()
        while time.process_time() - start < BURN_S:
            pass
        return extracted == gold


SLOW_ECHO = SlowEchoProfile()
