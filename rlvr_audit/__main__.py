from rlvr_audit.cli.app import run

if __name__ == "__main__":  # grading workers import __main__ under another name
    run()
