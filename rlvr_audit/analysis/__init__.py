"""Analysis of graded runs: the template x profile grid, accuracy statistics (avg@n, pass@k, maj@k, bootstrap CIs)."""
