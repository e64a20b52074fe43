"""Training: GRPO on TRL with the studied rewards, presets, training data, labels, per-step callbacks and checkpoint evaluation."""
