"""Denials: what a denied line is and where it is in its life.

Owns: `classify` (CAS group + CARC + RARC + context -> cause, action; data/denial_*.csv),
`lifecycle` (status moves, history, deadlines; data/denial_status_moves.csv), `levels`
(the one decision of a denial's next appeal level and its deadline), `actions` (the one
decision of what to do with a line: unprocessable returns, wording by payer route;
data/route_actions.csv), `payers` (a payer's guide, appeal levels and windows), `view`
(one denial as text or JSON, with its overturn candidates).
May import: reconcile.store, edi, coding, companion_guides. Nothing else of reconcile.
"""
