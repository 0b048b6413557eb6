"""The ledger: one definition of every figure (billed, paid, denied, PLB, deposits ...)
computed from the store, used by load summaries, reports and every filter.

Owns: `totals` (the figures of a period within a `Scope`: payer, code, cause, statuses),
`by_line` (the figures of the service lines a code/cause/status filter selects).

May import: reconcile.denials, reconcile.store, edi, coding, companion_guides.
"""
