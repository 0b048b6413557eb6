"""Posting an 835: each payment once (payer + trace), each line matched to what was sent,
denials classified, overturns found, PLB and money limits checked.

Owns: `load` (the streaming load and its transaction), `match` (REF*6R first, then code +
date + charge), `payments` (payment identity, duplicates, conflicts), `plb` (provider
adjustments, data/plb_reasons.csv), `money_limits`, `overturn` (a later answer to a denied
service), `result` (what a load reports).
May import: reconcile.ledger, reconcile.denials, reconcile.store, edi, coding,
companion_guides. Never reconcile.acks or anything above.
"""
