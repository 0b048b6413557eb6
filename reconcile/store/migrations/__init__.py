"""Alembic migrations of the store (env.py + versions/); driven by `reconcile.store.migrate`."""
