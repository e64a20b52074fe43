"""The grading engine: a process pool with per-item time limits, the verdict cache, and grading a run's generations."""
