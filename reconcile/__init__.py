"""reconcile: the store and everything that works on it, one sub-package per concern.

Layers, top to bottom (import-linter checks them in CI; see ARCHITECTURE.md):

    reports                          figures, worklist, HTML report, CSV
    appeals | corrections | secondary   working a denial or a balance to its end
    remit | acks | underpayments     posting what payers answer
    ledger                           one definition of every figure
    denials                          classification, lifecycle, payer windows
    templates | store                rendering; tables, sessions, migrations

A module imports only from its own layer's package or below. `errors` (StoreError) is
shared by all.
"""
