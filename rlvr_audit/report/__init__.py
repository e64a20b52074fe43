"""Report: tables (terminal, CSV, Markdown, LaTeX) and plots of grids and comparisons."""
