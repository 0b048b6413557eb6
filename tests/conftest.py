"""Shared fixtures: the public X12 corpus (when ../shared is present) and store sessions."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
# ../shared/x12-corpus beside the checkout; $DERMCLAIM_X12_CORPUS points elsewhere (a worktree)
CORPUS = Path(os.environ.get("DERMCLAIM_X12_CORPUS") or ROOT.parent / "shared" / "x12-corpus")


def corpus_files(kind: str) -> list[Path]:
    """Files of ../shared/x12-corpus/<kind> (835 or 837p); [] on a user's clone without it."""
    folder = CORPUS / kind
    return sorted(folder.iterdir()) if folder.is_dir() else []


def corpus_params(kind: str) -> list:  # type: ignore[type-arg]
    """pytest params over the corpus files, or one cleanly skipped param when absent."""
    files = corpus_files(kind)
    if not files:
        skip = pytest.mark.skip(reason=f"no ../shared/x12-corpus/{kind}")
        return [pytest.param(None, marks=skip)]
    return [pytest.param(p, id=p.name) for p in files]


def _pg_url() -> str | None:
    return os.environ.get("DERMCLAIM_TEST_PG_URL") or None


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL on each backend. PostgreSQL runs when DERMCLAIM_TEST_PG_URL
    names a server (.ci/run starts one); each test gets its own schema there."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = _pg_url()
    if not base:
        if os.environ.get("DERMCLAIM_REQUIRE_PG"):
            pytest.fail("DERMCLAIM_REQUIRE_PG is set but DERMCLAIM_TEST_PG_URL is empty")
        pytest.skip("PostgreSQL NOT TESTED: set DERMCLAIM_TEST_PG_URL (.ci/run starts a server)")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        if os.environ.get("DERMCLAIM_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL unreachable although required: {exc}")
        pytest.skip(f"PostgreSQL NOT TESTED: unreachable ({exc.orig})")
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    from reconcile.store.database import dispose_all

    dispose_all()
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    skipped = terminalreporter.stats.get("skipped", [])
    if any("PostgreSQL NOT TESTED" in str(getattr(r, "longrepr", "")) for r in skipped):
        terminalreporter.write_line(
            "WARNING: PostgreSQL store tests were SKIPPED (no server): only SQLite was tested",
            red=True, bold=True,
        )
