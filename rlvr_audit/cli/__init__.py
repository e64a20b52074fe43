"""The command line: one module per command; each parses options into a spec, calls the library and prints."""
