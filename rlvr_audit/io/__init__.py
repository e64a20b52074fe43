"""Record files: one reader for JSONL / JSONL.gz / JSON / Parquet and the append-only, atomic writers."""
