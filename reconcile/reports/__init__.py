"""Reports: what a billing team reads. Every figure comes from reconcile.ledger or
`analytics` (one definition, every filter applied to all of them).

Owns: `analytics` (denial rows and groups under Filters), `worklist` (work ordered by
deadline, CSV), `report` (the HTML report), `csv_export` (spreadsheet-safe CSV).
May import everything below it in reconcile, edi, coding, companion_guides.
"""
