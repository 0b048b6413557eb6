"""The 277CA claim acknowledgment (005010X214): typed model, reader, writer."""
