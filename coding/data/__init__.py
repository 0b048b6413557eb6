"""Coding data tables (CSV), read only through `coding.tables`; see README.md for sources."""
