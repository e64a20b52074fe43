from rlvr_audit.cli import run

run()
