"""Underpayments: every paid line's allowed amount held against what the practice's contract
or the Medicare Physician Fee Schedule says it is worth.

- `pfs`: the fee schedule tables (shipped RVU26C rows of the billed codes, national GPCI,
  conversion factors, facility places of service; CMS's own PPRRVU / GPCI files through
  `DERMCLAIM_PFS_RVU` / `DERMCLAIM_PFS_GPCI`) and the amount of one service.
- `contracts`: a payer's fee schedule CSV (allowed or percent of Medicare, by date).
- `price`: the expected allowed amount of each line of a claim (multiple-procedure,
  bilateral and global-split rules).
- `setup`: the practice file's contracts, locality and tolerance -> the pricing per payer.
- `read`, `compare`: the posted 835 lines from the store, their allowed amount (AMT*B6, else
  charge - contractual CAS) against the expected one, with basis and likely reason.
- `lifecycle`: open -> appealed -> recovered, or accepted (history in `underpayment_event`).

Computed when asked, from the store: nothing is written at remittance load.

May import: reconcile.ledger, reconcile.denials, reconcile.store, edi, coding,
companion_guides.
"""
