"""Templates for letters and the report: the one module Jinja2 enters through.

Shipped templates live in `reconcile/templates/` (read through importlib.resources); a
practice can point to its own letter template (letterhead, signature) by path. HTML
templates are autoescaped: every value from an 835, an encounter or the store is escaped
unless the code marks it `safe` (the report's SVG charts, built with `escape` below).
Undefined names are errors, so a template with a typo fails loudly instead of printing
nothing.
"""

from __future__ import annotations

import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateError, select_autoescape
from markupsafe import Markup, escape

from reconcile.errors import StoreError

__all__ = ["Markup", "escape", "render", "render_path", "safe"]


class _Shipped(BaseLoader):
    def get_source(self, environment: Environment, template: str
                   ) -> tuple[str, str | None, Any]:
        res = resources.files("reconcile.templates") / template
        return res.read_text(encoding="utf-8"), None, lambda: True


def _env(loader: BaseLoader | None = None) -> Environment:
    env = Environment(loader=loader or _Shipped(), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html", "htm"], default=False),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["money"] = lambda v: "" if v is None else f"{v:,.2f}"
    env.filters["wrap"] = _wrap
    return env


def _wrap(text: object, width: int = 78, indent: str = "", first: str | None = None) -> str:
    """Plain-text paragraphs for the .txt letter: wrapped at `width`, continuation lines
    indented by `indent` (the first by `first`, default the same)."""
    return textwrap.fill(" ".join(str(text).split()), width=width,
                         initial_indent=indent if first is None else first,
                         subsequent_indent=indent, break_on_hyphens=False)


_SHIPPED = _env()


def safe(text: str) -> Markup:
    """Mark markup the code built itself (already escaped) as safe for an HTML template."""
    return Markup(text)


def render(name: str, **context: Any) -> str:
    """Render a shipped template (`letter.html`, `letter.txt`, `report.html`)."""
    return _SHIPPED.get_template(name).render(**context)


def render_path(path: str | Path, **context: Any) -> str:
    """Render a practice's own template file; autoescaped when it ends in .html."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise StoreError(f"{p}: cannot read the letter template: {exc.strerror}") from None
    env = _env()
    try:
        env.autoescape = p.suffix.lower() in (".html", ".htm")
        return env.from_string(text).render(**context)
    except TemplateError as exc:
        raise StoreError(f"{p}: letter template error: {exc}") from None
