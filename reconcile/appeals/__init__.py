"""Appeal letters: one letter per claim and appeal level, arguing the rule behind each line.

Owns: `facts` (the argument a cause allows and the facts that fill it, data/appeal_*.csv),
`letters` (rendering, file names, `--sent` moving denials to appealed).
May import: reconcile.remit, reconcile.acks, reconcile.underpayments, reconcile.ledger,
reconcile.denials, reconcile.templates, reconcile.store, edi, coding, companion_guides.
Never reconcile.corrections, reconcile.secondary or reconcile.reports.
"""
