"""Benchmarks: the registry of named, pinned benchmarks and the loaders that turn hub or local rows into Problems."""
