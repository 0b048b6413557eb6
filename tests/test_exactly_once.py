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
    assert len(sent) == len(set(sent)) == 17 and ("DC-1010", "7") in sent
