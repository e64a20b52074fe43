"""rlvr-audit: audit claimed gains of RL-trained reasoning models."""

__version__ = "0.1.0"
