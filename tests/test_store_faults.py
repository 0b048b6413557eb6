"""A store that cannot take a change (issue 21): read-only (a file opened read-only, as
SQLite opens a file you cannot write), full, locked by another run. Every writing command
says so in one sentence with exit status 2 (never "internal error ... a bug"), and leaves no
file behind that the store did not record; a multi-file `remit load` goes on after a broken
file and stops at a store-wide fault, saying which files were not tried."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dermclaim.cli import main
from reconcile.store import database

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ENCOUNTERS = sorted(str(p) for p in (SAMPLES / "encounters").glob("*.json"))
AMENDED = sorted(str(p) for p in (SAMPLES / "corrections").glob("*.json"))
PRACTICE = str(SAMPLES / "practice.toml")


def _run(*args: str, code: int = 0) -> Result:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    assert "bug" not in r.output and "Traceback" not in r.output
    return r


@pytest.fixture
def loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DERMCLAIM_LOG_DIR", str(tmp_path / "logs"))
    db = tmp_path / "store.db"
    url = f"sqlite:///{db}"
    _run("claims", *ENCOUNTERS, "--practice", PRACTICE, "-o", str(tmp_path / "claims.837"),
         "--db", url)
    _run("remit", "load", str(SAMPLES / "remit.835"), "--db", url)
    database.dispose_all()
    yield db
    database.dispose_all()
    assert not (tmp_path / "logs").exists(), "a crash log was written"


def _open_denials(url: str) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(_run("denials", "--json", "--db", url).output)


def test_writes_on_a_read_only_store_are_refused_plainly(loaded: Path, tmp_path: Path) -> None:
    ro = f"sqlite:///file:{loaded}?mode=ro&uri=true"
    denials = _open_denials(ro)  # reading works
    first = denials[0]["denial_id"]
    r = _run("denial", "set", str(first), "--status", "written_off", "--note", "x", "--db", ro,
             code=2)
    assert "read-only" in r.stderr and len(r.stderr.strip().splitlines()) == 1

    letters = tmp_path / "letters"
    appealable = [str(d["denial_id"]) for d in denials if d["cause"] == "bundling"]
    r = _run("appeal", *appealable, "-o", str(letters), "--practice", PRACTICE, "--sent",
             "--db", ro, code=2)
    assert "read-only" in r.stderr and "practice" not in r.stderr
    assert not letters.exists()

    out = tmp_path / "corr" / "corrected.837"
    r = _run("correct", *AMENDED, "-o", str(out), "--practice", PRACTICE, "--db", ro, code=2)
    assert "read-only" in r.stderr
    left = sorted(p.name for p in out.parent.iterdir()) if out.parent.exists() else []
    assert left == [], left  # no 837, no reopening request
    assert _open_denials(ro) == denials  # nothing moved


def test_correct_takes_back_its_reopening_requests_when_the_store_refuses(
        loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The replacement 837 goes out (its own transaction), then the store fills up before
    the reopening requests are recorded: no request is left that the store does not know."""
    url = f"sqlite:///{loaded}"
    from sqlalchemy.exc import OperationalError

    from reconcile.corrections import reopening

    def full(*args: object, **kwargs: object) -> int:  # as SQLite answers a write
        raise OperationalError("UPDATE denial", {}, sqlite3.OperationalError(
            "database or disk is full"))

    monkeypatch.setattr(reopening, "record_moves", full)
    out = tmp_path / "corr" / "corrected.837"
    r = _run("correct", *AMENDED, "-o", str(out), "--practice", PRACTICE, "--db", url, code=2)
    assert "disk is full" in r.stderr
    assert not list(out.parent.glob("*reopening*")), list(out.parent.iterdir())


def _fill_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new connection sees a disk with no room: SQLite's page limit set to the
    store's current size (SQLITE_FULL, "database or disk is full", on the next write)."""
    real = database._sqlite_pragmas

    def pragmas(dbapi_conn, record):  # type: ignore[no-untyped-def]
        real(dbapi_conn, record)
        cur = dbapi_conn.cursor()
        pages = cur.execute("PRAGMA page_count").fetchone()[0]
        cur.execute(f"PRAGMA max_page_count = {pages}")
        cur.close()

    database.dispose_all()
    monkeypatch.setattr(database, "_sqlite_pragmas", pragmas)


def test_load_goes_on_after_a_broken_file_and_stops_when_the_store_is_full(
        loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{loaded}"
    broken = tmp_path / "broken.835"
    broken.write_text("ISA*this is not an 835~")
    text = (SAMPLES / "remit.835").read_text()
    second = tmp_path / "second.835"  # other content: another payment (trace changed)
    second.write_text(text.replace("TRN*1*", "TRN*1*X"))
    third = tmp_path / "third.835"
    third.write_text(text.replace("TRN*1*", "TRN*1*Y"))
    assert second.read_text() != text and third.read_text() != text
    _fill_up(monkeypatch)
    r = _run("remit", "load", str(broken), str(second), str(third), "--db", url, code=2)
    out = r.output  # failures on stderr, the summary on stdout
    assert f"{broken}" in out and "failed" in out.split(str(second))[0]
    assert f"{second}: failed" in out and f"{third}: not tried" in out
    assert "disk is full" in r.stderr and "stopped" in r.stderr
    assert "1 not tried" in out


def test_a_locked_store_is_named_as_such(loaded: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{loaded}"
    denial = _open_denials(url)[0]["denial_id"]
    monkeypatch.setenv("DERMCLAIM_LOCK_TIMEOUT", "0.2")
    database.dispose_all()
    holder = sqlite3.connect(loaded)
    holder.execute("BEGIN IMMEDIATE")
    try:
        r = _run("denial", "set", str(denial), "--status", "written_off", "--note", "x",
                 "--db", url, code=2)
    finally:
        holder.rollback()
        holder.close()
    assert "another dermclaim run is writing to the store" in r.stderr


def test_a_denial_appealed_meanwhile_stops_its_reopening_request(
        loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race (issue 21): `correct` planned a reopening request for a denial that `appeal
    --sent` moved to appealed before the request was recorded; `correct` wrote and reported
    it, and the store silently skipped the move. The move is now checked under the write
    lock that records it: that claim's request is refused with why, the others go out."""
    from reconcile.corrections import correct as correct_mod
    from reconcile.corrections import reopening
    from reconcile.denials.lifecycle import set_status

    url = f"sqlite:///{loaded}"
    real = reopening.write_requests
    moved: list[str] = []

    def appeal_first(plans, practice, out_dir, url_, when):  # type: ignore[no-untyped-def]
        p = next(p for p in plans if p.claim.claim_id == "DC-1001")
        for _f, d in p.fixes:  # another run sends its appeal now
            set_status(url_, d.denial_id, "appealed", note="appeal sent", by="other run")
            moved.append(str(d.denial_id))
        return real(plans, practice, out_dir, url_, when)

    monkeypatch.setattr(correct_mod, "write_requests", appeal_first)
    out = tmp_path / "corr" / "corrected.837"
    r = _run("correct", *AMENDED, "-o", str(out), "--practice", PRACTICE, "--db", url,
             "--json")
    res = json.loads(r.stdout)
    documents = [c["document"] for c in res["corrected"] if c["document"]]
    assert not any("DC-1001" in d for d in documents)
    assert any("DC-1005-reopening" in d for d in documents)  # the other claim went out
    refusal = [n["line_control_number"] for n in res["not_corrected"]
               if "is appealed now (moved by another run)" in n["reason"]]
    assert refusal == ["DC-1001-2"]  # the line the amended diagnosis would have corrected
    assert not list(out.parent.glob("DC-1001-reopening*"))
    rows = {str(d["denial_id"]): d["status"] for d in
            json.loads(_run("denials", "--status", "all", "--json", "--db", url).output)}
    assert moved and all(rows[i] == "appealed" for i in moved)


def test_a_select_only_postgresql_role_is_read_only(store_url: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The PostgreSQL half of the reproduction: a role granted SELECT only."""
    if not store_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL role (the SQLite read-only file is tested above)")
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    monkeypatch.setenv("DERMCLAIM_LOG_DIR", str(tmp_path / "logs"))
    _run("remit", "load", str(SAMPLES / "remit.835"), "--db", store_url)
    denial = _open_denials(store_url)[0]["denial_id"]
    role, secret = f"ro_{uuid.uuid4().hex[:10]}", "S3cretPW-xyz"
    schema = store_url.rsplit("search_path%3D", 1)[1]
    admin = sa.create_engine(store_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD '{secret}'"))
        conn.execute(sa.text(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}'))
        conn.execute(sa.text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {role}'))
    url = make_url(store_url).set(username=role, password=secret).render_as_string(
        hide_password=False)
    try:
        assert _open_denials(url)  # reading works
        r = _run("denial", "set", str(denial), "--status", "written_off", "--note", "x",
                 "--db", url, code=2)
        assert "read-only" in r.stderr and secret not in r.output
        letters = tmp_path / "letters"
        r = _run("appeal", str(denial), "-o", str(letters), "--practice", PRACTICE, "--sent",
                 "--db", url, code=2)
        assert "read-only" in r.stderr and not letters.exists()
    finally:
        database.dispose_all()
        with admin.begin() as conn:
            conn.execute(sa.text(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {role}'))
            conn.execute(sa.text(f'REVOKE ALL ON SCHEMA "{schema}" FROM {role}'))
            conn.execute(sa.text(f"DROP ROLE {role}"))
        admin.dispose()
    assert not (tmp_path / "logs").exists()


def test_appeal_sent_checks_the_move_under_the_lock_that_records_it(
        loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other side of the race: `appeal --sent` read the denial as open, another run
    wrote it off before the appeal was recorded. The move is checked again under the write
    lock: refused with why, no letter left, the denial as the other run left it."""
    from reconcile.appeals import letters as letters_mod
    from reconcile.denials.lifecycle import set_status

    url = f"sqlite:///{loaded}"
    bundled = next(d for d in _open_denials(url) if d["cause"] == "bundling")
    real = letters_mod.record_appeals

    def written_off_first(session, levels, **kwargs):  # type: ignore[no-untyped-def]
        set_status(url, bundled["denial_id"], "written_off", note="small balance",
                   by="other run")
        return real(session, levels, **kwargs)

    monkeypatch.setattr(letters_mod, "record_appeals", written_off_first)
    out = tmp_path / "letters"
    r = _run("appeal", str(bundled["denial_id"]), "-o", str(out), "--practice", PRACTICE,
             "--sent", "--db", url, code=1)
    assert "cannot move a denial from written_off to appealed" in r.stderr
    assert not out.exists()
    rows = json.loads(_run("denials", "--status", "all", "--json", "--db", url).output)
    assert next(d for d in rows if d["denial_id"] == bundled["denial_id"])["status"] == \
        "written_off"


def test_ack_load_stops_at_a_read_only_store(loaded: Path, tmp_path: Path) -> None:
    """`ack load` of several files on a store that refuses every write: the first file
    fails naming the store, the others are not tried, exit 2 (as `remit load`)."""
    from datetime import datetime

    from ack_helpers import answer_999

    url = f"sqlite:///{loaded}"
    first, second = tmp_path / "a.999", tmp_path / "b.999"
    first.write_text(answer_999(url, {}, when=datetime(2026, 4, 1, 13, 0)))
    second.write_text(first.read_text())  # never reached: the store refused the run
    database.dispose_all()
    ro = f"sqlite:///file:{loaded}?mode=ro&uri=true"
    r = _run("ack", "load", str(first), str(second), "--db", ro, code=2)
    assert f"{first}: failed" in r.stderr and f"{second}: not tried" in r.stderr
    assert "read-only" in r.stderr and "stopped" in r.stderr


def test_a_refused_login_is_a_permission_fault(store_url: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong password (SQLSTATE 28P01): exit 2, one sentence, the password hidden."""
    if not store_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL login")
    from sqlalchemy.engine import make_url

    from reconcile.errors import StorePermission

    monkeypatch.setenv("DERMCLAIM_LOG_DIR", str(tmp_path / "logs"))
    wrong = make_url(store_url).set(password="Wr0ngPW-xyz").render_as_string(
        hide_password=False)
    r = _run("remit", "load", str(SAMPLES / "remit.835"), "--db", wrong, code=2)
    assert "Wr0ngPW" not in r.output and ":***@" in r.stderr
    assert "password authentication failed" in r.stderr
    database.dispose_all()
    with pytest.raises(StorePermission):
        database.get_engine(wrong)


def test_a_replacement_whose_denial_moved_meanwhile_is_not_sent(
        loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The replacement route of the race: DC-1003's denial is written off by another run
    after `correct` planned its frequency-7 claim. The move is checked in the transaction
    that records the send: nothing is sent or recorded, the message says to run again, and
    the run again leaves that denial out."""
    from reconcile.corrections import correct as correct_mod
    from reconcile.denials.lifecycle import set_status

    url = f"sqlite:///{loaded}"
    dc1003 = next(d for d in _open_denials(url) if d["claim_id"] == "DC-1003")
    real = correct_mod.submit_claims

    def written_off_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        set_status(url, dc1003["denial_id"], "written_off", note="small balance",
                   by="other run")
        return real(*args, **kwargs)

    monkeypatch.setattr(correct_mod, "submit_claims", written_off_first)
    out = tmp_path / "corr" / "corrected.837"
    r = _run("correct", *AMENDED, "-o", str(out), "--practice", PRACTICE, "--db", url,
             code=1)
    assert f"denial {dc1003['denial_id']} is written_off now (moved by another run)" in \
        r.stderr
    assert not out.exists() and not list(out.parent.glob("*reopening*"))
    monkeypatch.setattr(correct_mod, "submit_claims", real)
    again = json.loads(_run("correct", *AMENDED, "-o", str(out), "--practice", PRACTICE,
                            "--db", url, "--json").output)
    assert "DC-1003" not in {c["claim_id"] for c in again["corrected"]}
    assert {c["claim_id"] for c in again["corrected"]} == {"DC-1001", "DC-1005"}
