"""Cross-family edits the engine applies to the draft lines, one concept per module.

Order (`coding.engine` runs them in this order, each on the lines the previous left):

1. `em25`       — modifier 25/57 on the E/M, or the E/M dropped when it is not separately
                  identifiable from a procedure that includes it.
2. `ncci`       — NCCI procedure-to-procedure pairs (curated table or the CMS quarterly file
                  read by `ncci_file`): indicator 0 drops column 2, indicator 1 needs
                  distinct sites for the payer's 59/XS, otherwise column 2 is dropped.
2b. `postop`    — 24/58/78/79 inside an earlier procedure's global period (the history).
3. `coverage`   — benign-lesion removals with a cosmetic-prone diagnosis and no documented
                  medical necessity: warning, or the ABN modifier (GA) with an ABN on file.
4. `mue`        — units per code and date above the Medically Unlikely Edit (curated table
                  or CMS's quarterly file read by `mue_file`; guide overrides win).
5. `laterality` — LT/RT where the payer's guide requires them.
6. `duplicates` — a second line of the same code and modifiers: the distinct modifier when
                  the sites differ, else a duplicate-denial warning.
7. `modifiers`  — pricing-first order, at most four per line.
8. `codes`      — unknown CPT/HCPCS codes, invalid ICD-10-CM codes, bad NPI check digits.

Every table lives in `coding/data/` (read through `coding.tables.read_table`) with a source
column; `coding/edits/tables.py` gives them typed views.
"""
