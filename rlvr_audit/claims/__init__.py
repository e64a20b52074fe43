"""Data: the claims registry (one JSON file per paper). Loaded by rlvr_audit.comparison.claim_registry."""
