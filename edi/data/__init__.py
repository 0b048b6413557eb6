"""Data tables of the edi package (CARC, RARC, group codes), read via importlib.resources."""
