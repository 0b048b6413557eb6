"""Underpayments: every paid line's allowed amount held against what the practice's contract
or the Medicare Physician Fee Schedule says it is worth.

May import: reconcile.ledger, reconcile.denials, reconcile.store, edi, coding,
companion_guides.
"""
