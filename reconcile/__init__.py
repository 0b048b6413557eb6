"""The store, remittance loading, matching, denial classification, analytics and corrections."""
