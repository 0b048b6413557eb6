"""JSON schemas of every --json output: documented in the README, checked by
tests/test_cli_contract.py."""
