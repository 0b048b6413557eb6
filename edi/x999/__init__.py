"""The 999 implementation acknowledgment (005010X231A1): typed model, reader, writer."""
