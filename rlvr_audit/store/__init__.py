"""The run store: a run directory (manifest, problems, generations, grades, summary), append-only and safe under kill -9."""
