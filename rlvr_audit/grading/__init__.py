"""Answer grading: profiles that reproduce public harnesses' verdicts.

Never imports torch, vllm or trl.
"""

from rlvr_audit.grading.base import GradeRequest, Profile
from rlvr_audit.grading.profiles import get_profile, list_profiles

__all__ = ["GradeRequest", "Profile", "get_profile", "list_profiles"]
