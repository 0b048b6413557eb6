"""Acknowledgments and claim status: 999 and 277CA files tied to what was sent, each claim's
state (sent, accepted, rejected, late, paid ...) and the pipeline counts.

Owns: `load` (999/277CA into the store, rejections release claims for re-sending), `status`
(one state per claim from every answer), `pipeline` (counts per state for reports).
May import: reconcile.denials, reconcile.ledger, reconcile.store, edi, companion_guides.
Never reconcile.remit, reconcile.reports or above.
"""
