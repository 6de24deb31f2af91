"""Ingestion: landing files -> pseudonymised, checked, versioned raw tables in the working warehouse."""
