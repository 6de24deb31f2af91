"""Hazard landing folders: returns as partners really send them, each with its expected outcome.

Each module writes one class of hazard (misnamed and half-copied files, workbook quirks, hostile and
out-of-range values, ...) into a copy of a clean landing folder, and says what the warehouse must do
with each file. The clean demo in seeds/returns stays as it is; tests and the fuzz suite use these.
"""
