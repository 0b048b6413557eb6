"""Denials: what a denied line is and where it is in its life.

Owns: `classify` (CAS group + CARC + RARC + context -> cause, action; data/denial_*.csv),
`lifecycle` (status moves, history, deadlines; data/denial_status_moves.csv), `payers`
(a payer's guide, appeal levels and windows), `view` (one denial as text or JSON).
May import: reconcile.store, edi, coding, companion_guides. Nothing else of reconcile.
"""
