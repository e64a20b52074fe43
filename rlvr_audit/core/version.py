"""The package version (also in pyproject.toml); recorded in every manifest."""

__version__ = "0.1.0"
