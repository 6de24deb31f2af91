"""Quality gates on returns (issue #6): Great Expectations suites (expectations/) run on one typed frame per
source and refresh, cross-source checks in SQL over the warehouse, and the partner feedback they produce.

- rules.py: the value rules of returns.md as GX suites, generated from the contract and kept as JSON.
- gx_run.py: one GX validation of a pandas frame; results turned into Problems naming file, row and column.
- cross_source.py: rules that span returns or sources (leavers vs staff in post, pwr vs ESR, register, ODS).
- gate.py: the validator ingestion calls, its timings and its asset-check result.
- feedback.py: a plain-English file per submitter and period, written beside the warehouse.
"""
