"""Dermatology coding: documented encounters become claim lines with rationale and findings."""
