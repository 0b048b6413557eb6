"""Procedure-family rules: one module per family; see base.py for the contract."""
