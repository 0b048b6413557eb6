"""dermclaim: dermatology claim coding, 837P submission and 835 denial reconciliation."""

__version__ = "0.1.0"
