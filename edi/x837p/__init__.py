"""The 837P (005010X222A1) writer.

- `segments`: every segment with explicit element positions, X12 number/text formatting
- `split`: claims over the guide's line or diagnosis limits cut into parts
- `checks`: why a claim is held (before writing)
- `text_checks`: what pyx12 lets through, on the X12 text (after; `dermclaim validate`)
- `envelope`: ISA/GS/ST and the grouping (one group per receiver, one ST per payer)
- `writer`: the loops, from 1000A to 2410
- `submit`: hold, split, group, render, validate, write atomically (store-free half;
  `reconcile.store.submissions.submit_claims` adds control numbers and the record)
"""
