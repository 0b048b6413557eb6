"""Underpayments on the samples (issue 23): `dermclaim underpayments`, its lifecycle, the
worklist and report sections and the dispute letters, against figures computed here from the
published PFS rows and the sample contract (tests/pfs_helpers.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pfs_helpers import CONTRACT, SAMPLES, D, cents, pfs

from dermclaim.cli import main
from reconcile.underpayments.compare import allowed_of

# ---------------------------------------------------------------------- the samples


def _run(*args: str, code: int = 0) -> str:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    return r.output


@pytest.fixture()
def sample_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/store.db"
    encounters = sorted((SAMPLES / "encounters").glob("*.json"))
    _run("claims", *map(str, encounters), "--practice", str(SAMPLES / "practice.toml"),
         "-o", str(tmp_path / "claims.837"), "--db", url, "--now", "2026-03-25T09:00:00")
    _run("remit", "load", str(SAMPLES / "remit.835"), "--db", url)
    return url


def test_samples_list_exactly_the_lines_paid_short(sample_store: str) -> None:
    rows = json.loads(_run("underpayments", "--json", "--practice",
                           str(SAMPLES / "practice.toml"), "--db", sample_store))
    got = {(r["claim_id"], r["line_control_number"], r["code"]):
           (D(r["expected_allowed"]), D(r["allowed"]), D(r["short"])) for r in rows}
    m12052 = pfs("2.80", "6.20", "0.34")  # 12052 PFS 2026 national
    m17003 = pfs("0.04", "0.15", "0.00") * 4  # 17003 x 4, add-on: never reduced
    assert got == {
        # commercial contract: 150 % of Medicare in 2026, paid at 2025's 140 %
        ("DC-1003", "DC-1003-2", "12052"): (cents(m12052 * D("1.5")), cents(m12052 * D("1.4")),
                                            cents(m12052 * D("1.5")) - cents(m12052 * D("1.4"))),
        # Medicare: the add-on paid at 50 % as if it took the multiple-procedure reduction
        ("DC-1013", "DC-1013-2", "17003"): (m17003, cents(m17003 / 2), m17003 - cents(m17003 / 2)),
    }
    by = {r["code"]: r for r in rows}
    assert by["12052"]["reason"].startswith("last year's rate")
    assert "commercial.csv row" in by["12052"]["basis"] and "150" in by["12052"]["basis"]
    assert by["17003"]["reason"] == ("multiple-procedure reduction (50 %) applied to an exempt "
                                     "add-on code")
    assert "x 33.4009" in by["17003"]["basis"] and by["17003"]["deadline"]
    for r in rows:
        assert {"claim_id", "line_control_number", "code", "payer", "date_of_service",
                "expected_allowed", "allowed", "paid", "short", "basis"} <= set(r)


def test_samples_sequestered_medicare_lines_are_paid_right(sample_store: str) -> None:
    """The 17110 of the multiple-procedure day carries CO-253 and PR-2 and is not listed."""
    from reconcile.store.database import session_scope
    from reconcile.underpayments.read import posted_lines

    with session_scope(sample_store) as s:
        lines = {ln.line_control_number: ln for ln in posted_lines(s)}
    ln = lines["DC-1013-3"]
    assert ln.code == "17110" and ("CO", "253") in {(g, c) for g, c, _ in ln.adjustments}
    allowed = pfs("0.68", "2.58", "0.07")
    coins = cents(allowed * D("0.2"))
    assert allowed_of(ln)[0] == allowed
    assert ln.paid == allowed - coins - cents((allowed - coins) * D("0.02"))
    out = _run("underpayments", "--practice", str(SAMPLES / "practice.toml"), "--payer",
               "medicare", "--db", sample_store)
    assert "DC-1013-3" not in out and "DC-1013-2" in out


def test_lifecycle_moves_and_their_checks(sample_store: str) -> None:
    rows = json.loads(_run("underpayments", "--json", "--practice",
                           str(SAMPLES / "practice.toml"), "--db", sample_store))
    uid = str(next(r["underpayment_id"] for r in rows if r["code"] == "17003"))
    err = _run("underpayment", "set", uid, "--status", "recovered", "--db", sample_store, code=1)
    assert "cannot move from open to recovered" in err
    assert "needs --note" in _run("underpayment", "set", uid, "--status", "accepted", "--db",
                                  sample_store, code=1)
    _run("underpayment", "set", uid, "--status", "appealed", "--on", "2026-04-20", "--db",
         sample_store)
    _run("underpayment", "set", uid, "--status", "recovered", "--amount", "12.70", "--db",
         sample_store)
    shown = json.loads(_run("underpayment", "show", uid, "--json", "--practice",
                            str(SAMPLES / "practice.toml"), "--db", sample_store))
    assert shown["status"] == "recovered"
    assert [(h["from"], h["to"]) for h in shown["history"]] == [("open", "appealed"),
                                                               ("appealed", "recovered")]
    rows = json.loads(_run("underpayments", "--json", "--status", "open", "--practice",
                           str(SAMPLES / "practice.toml"), "--db", sample_store))
    assert [r["code"] for r in rows] == ["12052"]


def test_bad_contract_is_bad_input(tmp_path: Path, sample_store: str) -> None:
    (tmp_path / "contracts").mkdir()
    bad = CONTRACT + "11104,,1.00,150,2026-01-01,\n"
    (tmp_path / "contracts" / "commercial.csv").write_text(bad)
    practice = tmp_path / "practice.toml"
    practice.write_text((SAMPLES / "practice.toml").read_text())
    out = _run("underpayments", "--practice", str(practice), "--db", sample_store, code=2)
    assert "commercial.csv: row 6, column allowed" in out


def test_upgrade_from_a_store_before_the_revision(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, inspect, text

    from reconcile.store import migrate

    engine = create_engine(f"sqlite:///{tmp_path}/old.db")
    migrate._run_upgrade(engine, "0006_submission_once")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO remit_file (sha256, file_name, size_bytes, loaded_at, "
                          "transaction_count, claim_count, line_count) VALUES ('x', 'a.835', 1, "
                          "'2026-01-01 00:00:00', 0, 0, 0)"))
    assert "underpayment_event" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert "underpayment_event" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM remit_file")).scalar() == 1


def test_worklist_and_report_show_the_underpaid_lines(sample_store: str, tmp_path: Path) -> None:
    import csv

    practice = str(SAMPLES / "practice.toml")
    work = tmp_path / "work.csv"
    _run("worklist", "-o", str(work), "--practice", practice, "--as-of", "2026-04-15", "--db",
         sample_store)
    rows = list(csv.DictReader(work.open()))
    under = [r for r in rows if r["section"] == "underpaid"]
    assert [(r["line_control_number"], r["denied_amount"]) for r in under] == [
        ("DC-1013-2", "12.70"), ("DC-1003-2", "31.20")]  # nearest deadline first
    assert under[0]["appeal_deadline"] == "2026-08-10"  # remittance 2026-04-12 + 120 days
    assert all(r["underpayment_id"] and r["cause"] == "underpaid" for r in under)
    assert all(r["underpayment_id"] == "" for r in rows if r["section"] != "underpaid")
    without = tmp_path / "plain.csv"
    _run("worklist", "-o", str(without), "--as-of", "2026-04-15", "--db", sample_store)
    assert len(list(csv.DictReader(without.open()))) == len(rows) - 2
    report = tmp_path / "r.html"
    _run("report", "-o", str(report), "--practice", practice, "--as-of", "2026-04-15", "--db",
         sample_store)
    html = report.read_text()
    assert "Underpayments: allowed against the contract" in html
    # 28 lines compared (3 without a basis: Part B drugs): all but the two short are right
    assert "26 paid right (92.9%)" in html and "43.90 short" in html
    assert "<td>commercial</td><td>12052</td><td>1</td><td>0</td><td>31.20</td>" in html


def test_dispute_letter_quotes_the_basis_and_sent_moves_to_appealed(sample_store: str,
                                                                    tmp_path: Path) -> None:
    rows = json.loads(_run("underpayments", "--json", "--practice",
                           str(SAMPLES / "practice.toml"), "--db", sample_store))
    ids = {r["code"]: str(r["underpayment_id"]) for r in rows}
    out = tmp_path / "letters"
    _run("underpayment", "letter", ids["12052"], ids["17003"], "-o", str(out), "--practice",
         str(SAMPLES / "practice.toml"), "--as-of", "2026-04-15", "--sent", "--db",
         sample_store)
    text = " ".join((out / "DC-1003-dispute.txt").read_text().split())  # unwrapped
    assert "commercial.csv row 19: 12052 (any modifier) 150 % of the Medicare fee" in text
    assert "expected 467.94; short 31.20" in text and "last year's rate" in text
    medicare = " ".join((out / "DC-1013-dispute.txt").read_text().split())
    assert "(0.04 x 1.000 + 0.15 x 1.000 + 0.00 x 1.000) x" in medicare
    assert "33.4009 = 6.35" in medicare and "Total short: 12.70" in medicare
    assert "<table>" in (out / "DC-1013-dispute.html").read_text()
    rows = json.loads(_run("underpayments", "--json", "--practice",
                           str(SAMPLES / "practice.toml"), "--db", sample_store))
    assert {r["status"] for r in rows} == {"appealed"}
    refused = _run("underpayment", "letter", "1", "-o", str(out), "--practice",
                   str(SAMPLES / "practice.toml"), "--db", sample_store, code=1)
    assert "underpayment 1: not an underpaid line" in refused


def test_appeal_writes_the_dispute_letter_of_an_underpaid_line(sample_store: str,
                                                                 tmp_path: Path) -> None:
    rows = json.loads(_run("underpayments", "--json", "--practice",
                           str(SAMPLES / "practice.toml"), "--db", sample_store))
    medicare = next(str(r["underpayment_id"]) for r in rows if r["code"] == "17003")
    out = tmp_path / "letters"
    said = _run("appeal", "--underpaid", medicare, "-o", str(out), "--practice",
                str(SAMPLES / "practice.toml"), "--as-of", "2026-04-15", "--db", sample_store)
    assert "DC-1013-dispute.html + .txt: claim DC-1013" in said
    text = " ".join((out / "DC-1013-dispute.txt").read_text().split())
    assert "(0.04 x 1.000 + 0.15 x 1.000 + 0.00 x 1.000) x" in text  # the PFS computation
    # one kind per run: denials or underpaid lines
    _run("appeal", "1", "--underpaid", medicare, "-o", str(out), "--practice",
         str(SAMPLES / "practice.toml"), "--db", sample_store, code=2)
