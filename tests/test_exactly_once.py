"""Each submission goes out once (a second copy is denied as a duplicate, CARC 18): an
original once per claim id, the same replacement (frequency 7, same payer claim number and
content) once, a void (8) of a payer claim once; the check and the record are one step
under the submission lock, so concurrent runs cannot both send."""

from __future__ import annotations

import threading
from pathlib import Path

from claim_builders import NOW, claim, line, practice
from sqlmodel import Session, select

from reconcile.store.database import get_engine
from reconcile.store.models import SubmittedClaim
from reconcile.store.sent import submission_identity
from reconcile.store.submissions import submit_claims


def _sent(url: str) -> list[tuple[str, str]]:
    with Session(get_engine(url)) as s:
        return sorted((r.claim_id, r.frequency) for r in s.exec(select(SubmittedClaim)).all())


def replacement(**kw: object) -> object:
    return claim("DC-9", payer="commercial", frequency="7",
                 payer_claim_number="2026030512345", **kw)  # type: ignore[arg-type]


def test_the_same_replacement_is_sent_once(store_url: str, tmp_path: Path) -> None:
    first = submit_claims([replacement()], practice(), tmp_path / "a.837", url=store_url,
                          now=NOW)
    assert first.held == ()
    again = submit_claims([replacement()], practice(), tmp_path / "b.837", url=store_url,
                          now=NOW)
    assert again.out_path is None and not (tmp_path / "b.837").exists()
    (held,) = again.held
    assert "this replacement of payer claim 2026030512345 was already sent in interchange " \
           "000000001" in held.describe()
    assert _sent(store_url) == [("DC-9", "7")]


def test_a_different_correction_of_the_same_payer_claim_goes_out(store_url: str,
                                                                 tmp_path: Path) -> None:
    submit_claims([replacement()], practice(), tmp_path / "a.837", url=store_url, now=NOW)
    changed = replacement(lines=(line(1, "99213", "220", mods=("25",), claim_id="DC-9"),
                                 line(2, "11102", "240", mods=("XS",), ptrs=(2,),
                                      claim_id="DC-9")))
    assert submission_identity(changed) != submission_identity(replacement())
    r = submit_claims([changed], practice(), tmp_path / "b.837", url=store_url, now=NOW)
    assert r.held == () and r.interchange_control_number == 2
    other_payer_claim = claim("DC-9", payer="commercial", frequency="7",
                              payer_claim_number="2026040100001")
    r = submit_claims([other_payer_claim], practice(), tmp_path / "c.837", url=store_url,
                      now=NOW)
    assert r.held == ()
    assert _sent(store_url) == [("DC-9", "7")] * 3


def test_a_void_is_sent_once_and_an_original_does_not_block_its_replacement(
        store_url: str, tmp_path: Path) -> None:
    original = claim("DC-5", payer="commercial")
    assert submit_claims([original], practice(), tmp_path / "1.837", url=store_url,
                         now=NOW).held == ()
    void = claim("DC-5", payer="commercial", frequency="8", payer_claim_number="PCN55")
    assert submit_claims([void], practice(), tmp_path / "2.837", url=store_url,
                         now=NOW).held == ()
    again = submit_claims([void], practice(), tmp_path / "3.837", url=store_url, now=NOW)
    assert again.out_path is None
    assert "the void of payer claim PCN55 was already sent in interchange 000000002" \
        in again.held[0].describe()
    again = submit_claims([original], practice(), tmp_path / "4.837", url=store_url, now=NOW)
    assert "already sent in interchange 000000001" in again.held[0].describe()
    assert _sent(store_url) == [("DC-5", "1"), ("DC-5", "8")]


def test_concurrent_runs_send_each_original_once(store_url: str, tmp_path: Path) -> None:
    batch = [claim(f"CC-{n}") for n in range(6)]
    get_engine(store_url)  # tables exist before the race
    results: list[object] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            results.append(submit_claims(batch, practice(), tmp_path / f"{n}.837",
                                         url=store_url, now=NOW))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    written = [r for r in results if r.out_path is not None]  # type: ignore[attr-defined]
    assert len(written) == 1
    assert sum(len(r.held) for r in results) == 3 * 6  # type: ignore[attr-defined]
    assert _sent(store_url) == sorted((f"CC-{n}", "1") for n in range(6))


def test_the_readme_first_command_twice_writes_no_second_copy(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dermclaim.cli import main

    samples = Path(__file__).resolve().parent.parent / "samples"
    files = sorted(str(p) for p in (samples / "encounters").glob("*.json"))
    db = f"sqlite:///{tmp_path / 'dermclaim.db'}"
    args = ["claims", *files, "--practice", str(samples / "practice.toml"), "--db", db,
            "--now", "2026-03-31T12:00:00"]
    first = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "1.837")])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "2.837")])
    assert second.exit_code == 1
    assert "claim DC-1010 held: this replacement of payer claim" in second.output
    assert not (tmp_path / "2.837").exists()
    sent = _sent(db)
    assert len(sent) == len(set(sent)) == len(files) and ("DC-1010", "7") in sent


# ------------------------------------------------------------ crash between commit and rename


def _crash_after_commit(url: str, out: Path, monkeypatch, *, renamed: bool,  # type: ignore[no-untyped-def]
                        ids: tuple[str, ...] = ("DC-1", "DC-2")) -> None:
    """Run a submission that 'dies' right after the store commit (before or after the
    rename), then make its recorded writer a process that is gone."""
    import subprocess
    import sys

    import pytest
    from sqlalchemy import update

    from edi.x837p import submit as submit_mod
    from reconcile.store.models import Interchange

    class Killed(BaseException):
        pass

    real = submit_mod.AtomicFile.commit

    def die(self):  # type: ignore[no-untyped-def]
        if renamed:
            real(self)
        raise Killed

    monkeypatch.setattr(submit_mod.AtomicFile, "commit", die)
    with pytest.raises(Killed):
        submit_claims([claim(i) for i in ids], practice(), out, url=url, now=NOW)
    monkeypatch.undo()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with Session(get_engine(url)) as s:
        s.execute(update(Interchange).values(writer=f"{__import__('socket').gethostname()}"
                                                    f":{gone.pid}:0"))
        s.commit()


def _state(url: str) -> list[tuple[int, str]]:
    from reconcile.store.models import Interchange

    with Session(get_engine(url)) as s:
        return [(i.control_number, i.state) for i in s.exec(select(Interchange)).all()]


def test_a_crash_between_commit_and_rename_is_finished_by_the_next_run(
        store_url: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out" / "claims.837"
    out.parent.mkdir()
    out.write_text("yesterday's file\n")
    _crash_after_commit(store_url, out, monkeypatch, renamed=False)
    assert out.read_text() == "yesterday's file\n" and _state(store_url) == [(1, "writing")]
    rerun = submit_claims([claim("DC-1"), claim("DC-2")], practice(), out, url=store_url,
                          now=NOW)
    assert rerun.out_path is None and len(rerun.held) == 2  # already sent: in interchange 1
    (said,) = rerun.recovered
    assert said.startswith("interchange 000000001 (2 claims): a run was interrupted before "
                           f"putting {out.resolve()} in place; finished")
    assert out.read_text().startswith("ISA*") and "CLM*DC-2*" in out.read_text()
    assert _state(store_url) == [(1, "written")]
    assert sorted(p.name for p in out.parent.iterdir()) == ["claims.837"]  # no .tmp, no .bak


def test_a_crash_after_the_rename_is_confirmed_and_a_lost_file_rolled_back(
        store_url: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "claims.837"
    _crash_after_commit(store_url, out, monkeypatch, renamed=True)
    rerun = submit_claims([claim("DC-3")], practice(), tmp_path / "b.837", url=store_url,
                          now=NOW)
    assert "the file is whole and now recorded as written" in rerun.recovered[0]
    assert _state(store_url) == [(1, "written"), (2, "written")]
    # a run whose file and temporary are both gone (deleted by hand) is rolled back
    out2 = tmp_path / "c.837"
    _crash_after_commit(store_url, out2, monkeypatch, renamed=False, ids=("DC-4", "DC-5"))
    for p in tmp_path.glob(".c.837.*.tmp"):
        p.unlink()
    rerun = submit_claims([claim("DC-4"), claim("DC-5")], practice(), out2, url=store_url,
                          now=NOW)
    assert "its records were removed (its claims can be sent again" in rerun.recovered[-1]
    assert rerun.held == ()  # DC-4 and DC-5 go out again, in interchange 4
    assert rerun.interchange_control_number == 4


def test_a_released_original_may_be_sent_again_and_is_linked(store_url: str,
                                                             tmp_path: Path) -> None:
    """The hook for a 999/277CA rejection: the payer never took the claim."""
    from reconcile.store.sent import release_submission

    submit_claims([claim("DC-7")], practice(), tmp_path / "1.837", url=store_url, now=NOW)
    held = submit_claims([claim("DC-7")], practice(), tmp_path / "2.837", url=store_url,
                         now=NOW)
    assert held.out_path is None
    with Session(get_engine(store_url)) as s:
        assert release_submission(s, interchange_control_number=1, claim_id="DC-7",
                                  reason="277CA A3:21 rejected") == 1
        s.commit()
    again = submit_claims([claim("DC-7")], practice(), tmp_path / "3.837", url=store_url,
                          now=NOW)
    assert again.held == () and again.interchange_control_number == 2
    with Session(get_engine(store_url)) as s:
        first, second = s.exec(select(SubmittedClaim).order_by(SubmittedClaim.id)).all()
    assert first.release_reason == "277CA A3:21 rejected" and first.submission_key is None
    assert second.follows_id == first.id and second.submission_key == "1|DC-7"
    from reconcile.store.ack_models import ClaimResubmission

    with Session(get_engine(store_url)) as s:
        (link,) = s.exec(select(ClaimResubmission)).all()
    assert (link.claim_row_id, link.rejected_claim_row_id) == (second.id, first.id)


def test_the_revision_backfills_the_same_identities_the_store_records(store_url: str,
                                                                      tmp_path: Path) -> None:
    """Down to the revision before and up again: the keys computed from the stored rows
    (money as the store keeps it) equal the ones recorded at submission."""
    from alembic import command

    from reconcile.store import migrate

    batch = [replacement(), claim("DC-1"), claim("DC-5", payer="commercial", frequency="8",
                                                 payer_claim_number="PCN55")]
    submit_claims(batch, practice(), tmp_path / "a.837", url=store_url, now=NOW)
    engine = get_engine(store_url)

    def keys() -> list[str | None]:
        with Session(engine) as s:
            return [r.submission_key for r in
                    s.exec(select(SubmittedClaim).order_by(SubmittedClaim.claim_id)).all()]

    before = keys()
    assert before[0] == "1|DC-1" and before[1] == "8|DC-5|PCN55"
    assert before[2] is not None and before[2].startswith("7|DC-9|2026030512345|")
    with engine.begin() as conn:
        command.downgrade(migrate._config(conn), "0004_denial_lifecycle")
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "head")
    assert keys() == before
    again = submit_claims([replacement()], practice(), tmp_path / "b.837", url=store_url,
                          now=NOW)
    assert again.out_path is None
