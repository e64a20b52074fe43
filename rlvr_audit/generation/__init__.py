"""Generation: model resolution, the backends (vllm, hf, openai) and the runner that fills a run with what it lacks."""
