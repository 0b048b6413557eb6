"""The store: SQLModel tables, sessions (SQLite or PostgreSQL), Alembic migrations, the
submission record (a claim is never sent twice) and the reads and writes the concerns share.

The bottom layer of reconcile: may import edi, coding, companion_guides and
reconcile.errors; nothing else of reconcile.
"""
