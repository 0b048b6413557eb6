"""X12 syntax, the 837P writer, the 835 reader and pyx12 validation. No dermatology rules."""
