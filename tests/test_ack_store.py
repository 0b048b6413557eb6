"""`ack load`, `claims status`, `rejections` on a fresh store (both backends): the sample
837 written, a 999 accepting one transaction set and rejecting the other (IK5*R with an
IK3/IK4 error), a 277CA rejecting one claim of the accepted set (STC A7:562:85), an 835
for two acknowledged claims. Expected states come from the rules in reconcile.acks.status
(999 A -> accepted, 999 R -> rejected, 277CA A2 -> acknowledged, A7 -> rejected, live 835
-> adjudicated), never from a previous run's output."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from ack_helpers import NPI_ERROR, accepted, answer_277, answer_999, rejected_npi, sets_of
from click.testing import CliRunner, Result
from conftest import corpus_files

from dermclaim.cli import main
from edi.x835.answers import remittance_text
from samples.answers import answer_claims, billed_claims

ROOT = Path(__file__).resolve().parent.parent
ENCOUNTERS = sorted(str(p) for p in (ROOT / "samples" / "encounters").glob("*.json"))
SENT = datetime(2026, 4, 1, 12, 0)
ANSWERED = date(2026, 4, 2)


def _run(*args: str, code: int = 0) -> Result:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    return r


def _send(url: str, out: Path) -> None:
    _run("claims", *ENCOUNTERS, "--practice", str(ROOT / "samples" / "practice.toml"), "-o",
         str(out), "--db", url, "--now", SENT.isoformat())


def _status(url: str, *extra: str) -> dict[str, dict]:  # type: ignore[type-arg]
    rows = json.loads(_run("claims", "status", "--json", "--db", url, *extra).output)
    return {r["claim_id"]: r for r in rows}


@pytest.fixture
def answered(store_url: str, tmp_path: Path) -> tuple[str, Path, dict]:  # type: ignore[type-arg]
    """The done-when scenario up to the 277CA; returns (url, folder, the sets sent)."""
    _send(store_url, tmp_path / "claims.837")
    sets = sets_of(store_url)
    assert len(sets) == 2, "the samples go out as two transaction sets (two payers)"
    (first_key, first), (second_key, second) = sorted(sets.items())
    (tmp_path / "a.999").write_text(answer_999(store_url, {second_key[1]: [NPI_ERROR]},
                                               when=SENT + timedelta(hours=1)))
    (tmp_path / "a.277").write_text(answer_277(
        [(first[0], [rejected_npi(ANSWERED)])] + [(c, [accepted(ANSWERED)]) for c in first[1:]],
        when=datetime(2026, 4, 2, 8, 0)))
    out = _run("ack", "load", str(tmp_path / "a.999"), str(tmp_path / "a.277"), "--db",
               store_url).output
    assert f"{len(first) + len(second)} claims answered ({len(first)} accepted, " \
           f"{len(second)} rejected)" in out
    assert f"{len(first) - 1} accepted, 1 rejected" in out
    return store_url, tmp_path, {"accepted_set": first, "rejected_set": second}


def test_each_claim_has_its_state_and_the_rejected_their_reasons(answered) -> None:  # type: ignore[no-untyped-def]
    url, _, sets = answered
    rows = _status(url, "--as-of", "2026-04-03")
    first, second = sets["accepted_set"], sets["rejected_set"]
    assert set(rows) == {c.claim_id for c in first + second}
    for c in second:  # the whole transaction set rejected by the 999
        r = rows[c.claim_id]
        assert r["status"] == "rejected" and r["since"] == "2026-04-01"
        assert "999" in r["reason"] and "IK5*R" in r["reason"] and "IK3*NM1" in r["reason"]
        assert "2010AA" in r["reason"]
    npi = rows[first[0].claim_id]
    assert npi["status"] == "rejected" and npi["since"] == ANSWERED.isoformat()
    assert "A7:562:85" in npi["reason"] and "billing provider" in npi["reason"]
    assert [e["state"] for e in npi["history"]] == ["sent", "accepted", "rejected"]
    for c in first[1:]:
        assert rows[c.claim_id]["status"] == "acknowledged"
        assert rows[c.claim_id]["payer_claim_number"] == f"PCN{c.id:05d}"  # REF*1K
    only = _status(url, "--as-of", "2026-04-03", "--status", "rejected")
    assert set(only) == {c.claim_id for c in second} | {first[0].claim_id}


def test_rejections_lists_exactly_those_and_denials_are_unchanged(answered) -> None:  # type: ignore[no-untyped-def]
    url, folder, sets = answered
    first, second = sets["accepted_set"], sets["rejected_set"]
    rows = json.loads(_run("rejections", "--json", "--db", url).output)
    assert sorted((r["claim_id"], r["source"]) for r in rows) == sorted(
        [(c.claim_id, "999") for c in second] + [(first[0].claim_id, "277CA")])
    npi = next(r for r in rows if r["source"] == "277CA")
    assert npi["codes"] == "A7:562:85" and "NPI" in npi["meaning"]
    assert "[billing_provider] npi" in npi["fix"] and npi["resubmitted"] is None
    # an 835 answering two acknowledged claims: adjudicated; rejections stay out of denials
    paid_ids = [c.claim_id for c in first[1:3]]
    remits, _ = answer_claims(billed_claims(url, paid_ids), external=False,
                              payment_date=date(2026, 4, 20))
    (folder / "r.835").write_text(remittance_text(remits))
    _run("remit", "load", str(folder / "r.835"), "--db", url)
    before = _run("denials", "--json", "--db", url).output
    _run("ack", "load", str(folder / "a.999"), "--db", url)  # already loaded: no change
    assert _run("denials", "--json", "--db", url).output == before
    denied_ids = {d["claim_id"] for d in json.loads(before)}
    assert denied_ids <= set(paid_ids)
    rows = _status(url, "--as-of", "2026-04-21")
    for claim_id in paid_ids:
        assert rows[claim_id]["status"] == "adjudicated"
        assert rows[claim_id]["reason"].startswith("835 ")


def test_silent_claims_become_overdue_after_the_guides_days(store_url: str,
                                                            tmp_path: Path) -> None:
    _send(store_url, tmp_path / "claims.837")
    # medicare.toml / commercial.toml: ack_overdue_days = 5
    five = _status(store_url, "--as-of", (SENT + timedelta(days=5)).date().isoformat())
    assert {r["status"] for r in five.values()} == {"sent"}
    six = _status(store_url, "--as-of", (SENT + timedelta(days=6)).date().isoformat())
    assert {r["status"] for r in six.values()} == {"late"}
    some = next(iter(six.values()))
    dos = date.fromisoformat(some["date_of_service"])
    timely = 365 if some["payer"] == "medicare" else 180  # the guides' timely_filing_days
    left = (dos + timedelta(days=timely) - (SENT + timedelta(days=6)).date()).days
    assert some["days_left"] == left and f"{left} days left" in some["reason"]
    assert "no 999 or 277CA 6 days after" in some["reason"]


def test_accepted_but_no_835_after_the_turnaround_is_overdue(answered) -> None:  # type: ignore[no-untyped-def]
    url, _, sets = answered
    ok = sets["accepted_set"][1].claim_id
    assert _status(url, "--as-of", "2026-05-01")[ok]["status"] == "acknowledged"  # day 30
    late = _status(url, "--as-of", "2026-05-02")[ok]  # day 31 > remit_turnaround_days 30
    assert late["status"] == "late" and "no 835 31 days after" in late["reason"]
    rejected = sets["rejected_set"][0].claim_id
    assert _status(url, "--as-of", "2026-05-02")[rejected]["status"] == "rejected"


def test_several_277cas_for_one_claim_are_all_kept(answered) -> None:  # type: ignore[no-untyped-def]
    url, folder, sets = answered
    claim = sets["accepted_set"][2]
    # the payer's 277CA after the clearinghouse's: the claim rejected for the subscriber id
    from edi.x277.writer import status

    (folder / "b.277").write_text(answer_277(
        [(claim, [status("A6", "164", "IL", date(2026, 4, 5))])], when=datetime(2026, 4, 5),
        control=602))
    _run("ack", "load", str(folder / "b.277"), "--db", url)
    row = _status(url, "--as-of", "2026-04-06")[claim.claim_id]
    assert row["status"] == "rejected" and "A6:164:IL" in row["reason"]
    assert "member_id" in row["reason"]  # the fix names the subscriber id
    assert [(e["source"], e["state"]) for e in row["history"]] == [
        ("837", "sent"), ("999", "accepted"), ("277CA", "acknowledged"), ("277CA", "rejected")]


def test_answers_for_claims_never_sent_are_kept_apart(answered) -> None:  # type: ignore[no-untyped-def]
    url, folder, _ = answered
    from edi.x277.model import ClaimAck
    from edi.x277.writer import render_277

    text = render_277([ClaimAck("NOT-OURS", (accepted(ANSWERED),), None, None, None, None,
                                "1234567893", 0)],
                      source=("PR", "X", "PI", "1"), receiver="SPRDERM01", control=77,
                      when=datetime(2026, 4, 2))
    (folder / "c.277").write_text(text)
    out = _run("ack", "load", str(folder / "c.277"), "--db", url).output
    assert "1 answer matches nothing sent" in out
    assert "NOT-OURS" not in _status(url)


def test_an_unreadable_file_exits_2_naming_the_segment_and_the_others_load(
        store_url: str, tmp_path: Path) -> None:
    _send(store_url, tmp_path / "claims.837")
    good = tmp_path / "good.999"
    good.write_text(answer_999(store_url, {}, when=SENT + timedelta(hours=1)))
    bad = tmp_path / "bad.999"
    bad.write_text(good.read_text().replace("IK5*A~", "", 1))
    r = _run("ack", "load", str(bad), str(good), "--db", store_url, code=2)
    assert "bad.999" in r.output and "AK2" in r.output and "segment" in r.output
    assert "good.999: 999 loaded" in r.output
    assert {x["status"] for x in _status(store_url, "--as-of", "2026-04-02").values()} == {
        "accepted"}
    r = _run("ack", "load", str(ROOT / "samples" / "remit.835"), "--db", store_url, code=2)
    assert "remit load" in r.output


def test_the_corpus_ack_files_load_as_answers_to_nothing_we_sent(store_url: str) -> None:
    files = [str(p) for p in corpus_files("ack") if p.suffix == ".txt"]
    if not files:
        pytest.skip("no ../shared/x12-corpus/ack")
    out = _run("ack", "load", *files, "--db", store_url).output
    assert out.count(" loaded: 0 claims answered") == 4
    assert "IEA02" in out  # the accepted 999's IEA02 differs from its ISA13: a finding


def test_the_report_pipeline_counts_each_state_and_the_top_reasons(answered) -> None:  # type: ignore[no-untyped-def]
    from reconcile.acks.pipeline import pipeline, pipeline_html

    url, _, sets = answered
    first, second = sets["accepted_set"], sets["rejected_set"]
    p = pipeline(url, as_of=date(2026, 4, 3))
    assert (p.sent, p.rejected, p.accepted, p.adjudicated, p.late) == (
        len(first) + len(second), len(second) + 1, len(first) - 1, 0, 0)
    (top, n_top), (npi, n_npi) = p.top_reasons
    assert n_top == len(second) and top.startswith("999 IK5*R*5") and "NM1" in top
    assert n_npi == 1 and npi.startswith("277CA A7:562:85")
    late = pipeline(url, as_of=date(2026, 5, 2))
    assert late.late == len(first) - 1 and late.accepted == 0
    html = pipeline_html(late, limit=3)
    assert "Claims pipeline" in html and f"{late.late - 3} more not shown" in html
    assert pipeline(url, since=date(2026, 4, 2), as_of=date(2026, 4, 3)).sent == 0


def test_the_pipeline_section_escapes_what_came_from_files() -> None:
    from reconcile.acks.pipeline import Pipeline, pipeline_html

    p = Pipeline(None, None, date(2026, 4, 3), 1, 0, 1, 0, 0, 0,
                 (("277CA A7:<script>x</script>", 1),), ())
    html = pipeline_html(p)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_report_has_the_pipeline_next_to_the_denials(answered) -> None:  # type: ignore[no-untyped-def]
    url, folder, sets = answered
    _run("report", "-o", str(folder / "r.html"), "--as-of", "2026-04-03", "--db", url)
    page = (folder / "r.html").read_text()
    assert "Claims pipeline" in page and "Top rejection reasons" in page
    assert "A7:562:85" in page and page.index("Claims pipeline") < page.index("</body>")


def test_a_999_rejecting_the_whole_group_rejects_every_claim_in_it(store_url: str,
                                                                   tmp_path: Path) -> None:
    from edi.x999.model import GroupAck
    from edi.x999.writer import render_999

    _send(store_url, tmp_path / "claims.837")
    (gs06, _), claims = sorted(sets_of(store_url).items())[0]
    # AK9*R with AK905 4 (group control numbers disagree) and no AK2: nothing accepted
    group = GroupAck("HC", str(gs06), "005010X222A1", "R", 1, 1, 0, ("4",), 0, ())
    (tmp_path / "g.999").write_text(render_999([group], sender="EXCLEARINGHSE",
                                               receiver="SPRDERM01", control=9, when=SENT))
    _run("ack", "load", str(tmp_path / "g.999"), "--db", store_url)
    rows = _status(store_url, "--as-of", "2026-04-02")
    for c in claims:
        assert rows[c.claim_id]["status"] == "rejected"
        assert "AK9*R*4" in rows[c.claim_id]["reason"]
    others = set(rows) - {c.claim_id for c in claims}
    assert others and {rows[i]["status"] for i in others} == {"sent"}


def test_a_rejected_line_is_tied_by_ref_fj_and_rejects_its_claim(answered) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from edi.x277.model import ClaimAck, LineAck
    from edi.x277.writer import render_277, status
    from reconcile.store.ack_models import AckAnswer
    from reconcile.store.database import session_scope
    from reconcile.store.models import SubmittedLine

    url, folder, sets = answered
    claim = sets["accepted_set"][3]
    with session_scope(url) as session:
        line = session.exec(select(SubmittedLine).where(
            SubmittedLine.claim_row_id == claim.id)).first()
    assert line is not None
    on = date(2026, 4, 6)
    bad = LineAck("HC", line.code, (), line.charge, (status("A7", "453", "", on),),
                  line.line_control_number, None, 0)
    ack = ClaimAck(claim.claim_id, (status("A1", "19", "PR", on),), None, None, None, None,
                   "1234567893", 0, (bad,))
    (folder / "l.277").write_text(render_277([ack], source=("PR", "X", "PI", "1"),
                                             receiver="SPRDERM01", control=88,
                                             when=datetime(2026, 4, 6)))
    _run("ack", "load", str(folder / "l.277"), "--db", url)
    assert _status(url, "--as-of", "2026-04-07")[claim.claim_id]["status"] == "rejected"
    with session_scope(url) as session:
        row = session.exec(select(AckAnswer).where(
            AckAnswer.line_control_number == line.line_control_number)).one()
    assert row.submitted_line_id == line.id and row.codes == "A7:453"
    assert "modifier" in row.fix
    rows = json.loads(_run("rejections", "--json", "--db", url).output)
    assert any(r["line_control_number"] == line.line_control_number for r in rows)


def test_rejected_claims_go_out_again_as_new_originals_and_only_they(answered) -> None:  # type: ignore[no-untyped-def]
    """A rejected claim never entered adjudication: `ack load` releases it, so the next
    `claims` run sends it as a new original (linked to the rejected one) while every
    accepted claim is still held as already sent (a second copy would be a duplicate)."""
    url, folder, sets = answered
    first, second = sets["accepted_set"], sets["rejected_set"]
    rejected_ids = {c.claim_id for c in second} | {first[0].claim_id}
    r = CliRunner().invoke(main, ["claims", *ENCOUNTERS, "--practice",
                                  str(ROOT / "samples" / "practice.toml"), "-o",
                                  str(folder / "again.837"), "--db", url,
                                  "--now", (SENT + timedelta(days=2)).isoformat()])
    assert r.exit_code == 1, r.output  # done, with the accepted claims held
    assert f"wrote {folder / 'again.837'}: {len(rejected_ids)} claims" in r.output
    held = {c.claim_id for c in first[1:]}
    for claim_id in held:
        assert re.search(rf"claim {claim_id} held: .*already sent in interchange", r.output)
    for claim_id in rejected_ids:
        assert f"claim {claim_id} held" not in r.output
    text = (folder / "again.837").read_text()
    written = {seg.split("*")[1] for seg in text.replace("\n", "").split("~")
               if seg.startswith("CLM*")}
    assert written == rejected_ids
    rows = json.loads(_run("rejections", "--json", "--db", url).output)
    assert {r["claim_id"] for r in rows if r["resubmitted"]} == rejected_ids
    # and a third run sends nothing: the new originals are the ones on file now
    r3 = CliRunner().invoke(main, ["claims", *ENCOUNTERS, "--practice",
                                   str(ROOT / "samples" / "practice.toml"), "-o",
                                   str(folder / "third.837"), "--db", url])
    assert r3.exit_code == 1 and not (folder / "third.837").exists(), r3.output
