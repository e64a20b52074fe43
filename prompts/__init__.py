"""Built-in prompt templates (data files), shipped as rlvr_audit.prompts."""
