"""Templates (Jinja2, autoescaped HTML) and `render`, shared by letters, requests and reports.

May import: reconcile.errors only.
"""
