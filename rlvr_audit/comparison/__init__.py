"""Comparison: claimed vs adjusted gains of trained runs over a base run, published claims, decomposition of gains, CI gates."""
