"""Secondary claims: the balance a primary payer's 835 leaves, billed to the next payer
(2320/2330/2430 from that 835), and Medicare crossovers followed instead of re-sent.

May import: reconcile.remit, reconcile.acks, reconcile.underpayments, reconcile.ledger,
reconcile.denials, reconcile.templates, reconcile.store, edi, coding, companion_guides.
"""
