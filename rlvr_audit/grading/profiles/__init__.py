"""One module per harness whose verdicts a profile reproduces. A profile is built from grading.blocks and never imports another profile."""
