"""Core: the data types every layer shares (Problem, Generation, Grade, ...), the one user-facing error, hashing and provenance helpers. Imports nothing else of rlvr_audit."""
