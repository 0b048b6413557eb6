"""Control numbers from the store and the record of what was sent, on SQLite and
PostgreSQL; the file and the records happen together or not at all."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from claim_builders import NOW, claim, kenalog, line, practice, spouse_subscriber
from sqlmodel import Session, select

from coding.encounter import parse_encounter
from edi.errors import EdiError
from reconcile.errors import StoreError
from reconcile.store import submissions
from reconcile.store.database import get_engine, session_scope
from reconcile.store.models import ControlCounter, Interchange, SubmittedClaim, SubmittedLine
from reconcile.store.submissions import next_control_numbers, submit_claims


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"  # apart from the SQLite store file
    folder.mkdir()
    return folder


def _counts(url: str) -> tuple[int, int, int]:
    with Session(get_engine(url)) as s:
        return (len(s.exec(select(Interchange)).all()), len(s.exec(select(SubmittedClaim)).all()),
                len(s.exec(select(SubmittedLine)).all()))


def test_control_numbers_start_at_one_and_never_repeat(store_url: str) -> None:
    with session_scope(store_url) as s:
        first = next_control_numbers(s, groups=2, transactions=3)
    with session_scope(store_url) as s:
        second = next_control_numbers(s, groups=1, transactions=1)
    assert (first.isa13, first.gs06, first.st02) == (1, (1, 2), (1, 2, 3))
    assert (second.isa13, second.gs06, second.st02) == (2, (3,), (4,))
    with session_scope(store_url) as s:
        values = {c.name: c.value for c in s.exec(select(ControlCounter)).all()}
    assert values == {"ISA13": 2, "GS06": 3, "ST02": 4}


def test_a_rolled_back_session_consumes_no_numbers(store_url: str) -> None:
    with pytest.raises(RuntimeError), session_scope(store_url) as s:
        next_control_numbers(s, groups=1, transactions=1)
        raise RuntimeError("boom")
    with session_scope(store_url) as s:
        assert next_control_numbers(s, groups=1, transactions=1).isa13 == 1


def test_concurrent_submissions_get_distinct_numbers(store_url: str) -> None:
    with session_scope(store_url) as s:  # create the tables and counters first
        next_control_numbers(s, groups=1, transactions=1)
    taken: list[int] = []
    errors: list[BaseException] = []

    def take() -> None:
        try:
            for _ in range(5):
                with session_scope(store_url) as s:
                    taken.append(next_control_numbers(s, groups=1, transactions=1).isa13)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(taken) == list(range(2, 22))


def test_submit_records_interchange_claims_and_lines(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "claims.837"
    claims = [claim("DC-1", rendering_provider=None),
              claim("DC-2", payer="commercial", subscriber=spouse_subscriber(),
                    lines=(line(1, "J3301", "16", units=4, drug=kenalog(), claim_id="DC-2"),))]
    result = submit_claims(claims, practice(), out, url=store_url, now=NOW)
    data = out.read_bytes()
    assert result.file_hash == hashlib.sha256(data).hexdigest()
    assert result.interchange_control_number == 1 and result.held == ()
    with Session(get_engine(store_url)) as s:
        ic = s.exec(select(Interchange)).one()
        assert (ic.control_number, ic.file_name, ic.claim_count, ic.line_count) == (
            1, "claims.837", 2, 3)
        assert ic.file_hash == result.file_hash
        assert str(ic.total_charge) == "476.00"
        assert ic.created_at.replace(tzinfo=UTC) == NOW.replace(tzinfo=UTC)
        rows = s.exec(select(SubmittedClaim).order_by(SubmittedClaim.claim_id)).all()
        assert [(r.claim_id, r.payer, r.payer_id, r.group_control_number,
                 r.transaction_control_number) for r in rows] == [
            ("DC-1", "medicare", "12502", 1, "0001"),
            ("DC-2", "commercial", "60054", 2, "0002")]
        lines = s.exec(select(SubmittedLine).order_by(SubmittedLine.line_control_number)).all()
        assert [(ln.line_control_number, ln.code, ln.modifiers, ln.units, str(ln.charge),
                 ln.diagnosis_pointers, ln.ndc) for ln in lines] == [
            ("DC-1-1", "99213", "25", 1, "220.00", "1", None),
            ("DC-1-2", "11102", "", 1, "240.00", "2", None),
            ("DC-2-1", "J3301", "", 4, "16.00", "1", "00003029328")]
        # the encounter is stored so a corrected claim can be rebuilt from it
        enc = parse_encounter(__import__("json").loads(rows[1].encounter_json), "store")
        assert enc.subscriber is not None and enc.subscriber.relationship == "spouse"
        assert enc.claim_id == "DC-2"


def test_numbers_never_repeat_across_runs(store_url: str, tmp_path: Path) -> None:
    seen_isa, seen_st = set(), set()
    for run in range(3):
        out = tmp_path / f"run{run}.837"
        r = submit_claims([claim(f"DC-{run}"), claim(f"DC-{run}B", payer="commercial")],
                          practice(), out, url=store_url, now=NOW)
        text = out.read_text()
        assert r.interchange_control_number not in seen_isa
        seen_isa.add(r.interchange_control_number)
        sts = {seg.split("*")[2] for seg in text.split("~\n") if seg.startswith("ST*")}
        assert not sts & seen_st
        seen_st |= sts
    assert seen_isa == {1, 2, 3}


def test_split_claim_recorded_per_part(store_url: str, tmp_path: Path) -> None:
    lines = tuple(line(n, "11102", "240", procedure=n) for n in range(1, 56))
    r = submit_claims([claim(lines=lines)], practice(), tmp_path / "x.837", url=store_url,
                      now=NOW)
    assert [w.part.clm01 for w in r.claims] == ["DC-1-P1", "DC-1-P2"]
    with Session(get_engine(store_url)) as s:
        rows = s.exec(select(SubmittedClaim).order_by(SubmittedClaim.claim_id)).all()
        assert [(x.claim_id, x.encounter_claim_id, str(x.total_charge)) for x in rows] == [
            ("DC-1-P1", "DC-1", "12000.00"), ("DC-1-P2", "DC-1", "1200.00")]
    assert _counts(store_url) == (1, 2, 55)


def test_failure_while_recording_leaves_no_file_no_rows(store_url: str, out_dir: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = out_dir / "claims.837"

    def broken(*args: object, **kwargs: object) -> None:
        raise StoreError("disk full")

    monkeypatch.setattr(submissions, "record_interchange", broken)
    with pytest.raises(StoreError, match="disk full"):
        submit_claims([claim()], practice(), out, url=store_url, now=NOW)
    assert list(out_dir.iterdir()) == []  # no file, no temporary left behind
    assert _counts(store_url) == (0, 0, 0)
    monkeypatch.undo()
    r = submit_claims([claim()], practice(), out, url=store_url, now=NOW)
    assert r.interchange_control_number == 1  # the failed run consumed no numbers


def test_failure_at_commit_keeps_the_previous_file(store_url: str, out_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = out_dir / "claims.837"
    out.write_text("previous file\n")

    def commit_then_fail(self: Session) -> None:
        raise StoreError("connection lost at commit")

    monkeypatch.setattr(Session, "commit", commit_then_fail)
    with pytest.raises(StoreError):
        submit_claims([claim()], practice(), out, url=store_url, now=NOW)
    monkeypatch.undo()
    assert out.read_text() == "previous file\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["claims.837"]
    assert _counts(store_url) == (0, 0, 0)


def test_invalid_output_is_never_written(store_url: str, out_dir: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The validation fails after the file is staged and its rows recorded (pyx12 runs
    while they are written): the staged file and the rows go, nothing was saved."""
    def invalid(pending: object, *args: object, **kwargs: object) -> None:
        pending.result()  # type: ignore[attr-defined]  # the workers finish, then it fails
        raise EdiError("claims.837: the 837P written failed validation, nothing was saved")

    monkeypatch.setattr(submissions, "validated", invalid)
    with pytest.raises(EdiError, match="nothing was saved"):
        submit_claims([claim()], practice(), out_dir / "claims.837", url=store_url, now=NOW)
    assert list(out_dir.iterdir()) == []
    assert _counts(store_url) == (0, 0, 0)


def test_all_held_writes_nothing(store_url: str, out_dir: Path) -> None:
    bad = claim(lines=(line(1, "11102", "240", units=0),))
    r = submit_claims([bad], practice(), out_dir / "claims.837", url=store_url, now=NOW)
    assert r.out_path is None and len(r.held) == 1
    assert list(out_dir.iterdir()) == []


def test_replacement_claim_round_trip(store_url: str, tmp_path: Path) -> None:
    """The corrected-claim path: frequency 7 with the payer's claim number (REF*F8)."""
    corrected = claim("DC-9", payer="commercial", frequency="7",
                      payer_claim_number="2026030512345")
    r = submit_claims([corrected], practice(), tmp_path / "corr.837", url=store_url,
                      now=datetime(2026, 4, 1, 8, 0, tzinfo=UTC))
    text = (tmp_path / "corr.837").read_text()
    assert "CLM*DC-9*460***11:B:7*Y*A*Y*Y~\nREF*F8*2026030512345~" in text
    with Session(get_engine(store_url)) as s:
        row = s.exec(select(SubmittedClaim)).one()
        assert (row.frequency, row.payer_claim_number) == ("7", "2026030512345")
    assert r.claims[0].part.claim.encounter.frequency == "7"


def test_missing_output_folders_are_made_and_removed_on_failure(
        store_url: str, out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise StoreError("disk full")

    monkeypatch.setattr(submissions, "record_interchange", broken)
    with pytest.raises(StoreError):
        submit_claims([claim()], practice(), out_dir / "a" / "b" / "c.837", url=store_url,
                      now=NOW)
    assert list(out_dir.iterdir()) == []
    monkeypatch.undo()
    submit_claims([claim()], practice(), out_dir / "a" / "b" / "c.837", url=store_url, now=NOW)
    assert (out_dir / "a" / "b" / "c.837").read_text().startswith("ISA*")


def test_a_database_error_at_commit_is_a_store_error(store_url: str, out_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError as SaOperationalError

    def lost(self: Session) -> None:
        raise SaOperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(Session, "commit", lost)
    with pytest.raises(StoreError, match="not written, the store failed: server closed"):
        submit_claims([claim()], practice(), out_dir / "c.837", url=store_url, now=NOW)
    monkeypatch.undo()
    assert list(out_dir.iterdir()) == []
    assert _counts(store_url) == (0, 0, 0)


def test_failure_to_put_the_file_in_place_removes_the_records(
        store_url: str, out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from edi.x837p.submit import AtomicFile

    out = out_dir / "claims.837"
    out.write_text("previous file\n")

    def no_rename(self: AtomicFile) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(AtomicFile, "commit", no_rename)
    with pytest.raises(EdiError, match="not written: Permission denied .*record was removed"):
        submit_claims([claim()], practice(), out, url=store_url, now=NOW)
    monkeypatch.undo()
    assert out.read_text() == "previous file\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["claims.837"]
    assert _counts(store_url) == (0, 0, 0)
    # the numbers the failed run took stay used: the next file is interchange 2
    r = submit_claims([claim()], practice(), out, url=store_url, now=NOW)
    assert r.interchange_control_number == 2


def test_concurrent_submit_claims_write_distinct_interchanges(store_url: str,
                                                              out_dir: Path) -> None:
    with session_scope(store_url) as s:  # tables and counters exist before the race
        next_control_numbers(s, groups=1, transactions=1)
    results: dict[int, int] = {}
    errors: list[BaseException] = []

    def submit(n: int) -> None:
        try:
            r = submit_claims([claim(f"CC-{n}")], practice(), out_dir / f"c{n}.837",
                              url=store_url, now=NOW)
            assert r.interchange_control_number is not None
            results[n] = r.interchange_control_number
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results.values()) == [2, 3, 4]
    assert _counts(store_url) == (3, 3, 6)
    for n, isa13 in results.items():
        assert f"*{isa13:09d}*0*P*:~" in (out_dir / f"c{n}.837").read_text()
