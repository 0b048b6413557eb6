"""Corrections by the payer's route: replacement claims (frequency 7), Medicare reopening
requests, new originals for lines returned unprocessable.

Owns: `lines` (the documented line compared with the line as sent), `reopening` (request
files), `correct` (planning and sending through the one submission path).
May import: reconcile.remit, reconcile.acks, reconcile.ledger, reconcile.denials,
reconcile.templates, reconcile.store, edi, coding, companion_guides.
Never reconcile.appeals, reconcile.secondary or reconcile.reports.
"""
