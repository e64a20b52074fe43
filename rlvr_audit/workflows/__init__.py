"""Workflows: the end-to-end jobs a command runs (baseline grid, importing generations, grading files), built from the layers below."""
