"""Answer grading: profiles that reproduce public harnesses' verdicts.

Layout: `blocks/` (extractors, normalizers, comparators, the safety gate), `profiles/`
(one file per harness; profiles never import one another), `engine/` (process pool,
workers, verdict cache, grading a run), `registry` (the built-in profiles, then plug-ins
from other packages' `rlvr_audit.profiles` entry points). Never imports torch, vllm,
transformers or trl.
"""
