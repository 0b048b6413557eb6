"""The ledger: one definition of every figure (billed, paid, denied, PLB, deposits ...)
computed from the store, used by load summaries, reports and every filter.

May import: reconcile.denials, reconcile.store, edi, coding, companion_guides.
"""
