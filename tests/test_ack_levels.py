"""Acknowledgments at every level (issue 18): a 277CA status at the information-receiver
level (2200B, TRN02 = the batch's BHT03) or the billing-provider level (2200C) applies to
every claim of that batch; a 999 ties only to what this store sent (AK101 HC, AK201 837 of
the version sent), never to an 834's 999 whose numbers happen to match; load summaries
count claims."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ack_helpers import answer_277, rejected_npi, sets_of
from click.testing import CliRunner
from sqlmodel import select

from dermclaim.cli import main
from edi.x277.writer import render_277
from edi.x999.model import GroupAck, TransactionSetAck
from edi.x999.writer import render_999
from reconcile.store.database import session_scope
from reconcile.store.models import Interchange, SubmittedClaim

ROOT = Path(__file__).resolve().parent.parent
ENCOUNTERS = sorted(str(p) for p in (ROOT / "samples" / "encounters").glob("*.json"))
SENT = datetime(2026, 4, 1, 12, 0)
WHEN = datetime(2026, 4, 2, 8, 0)


def _run(*args: str, code: int = 0) -> str:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    return r.output


def _sent(url: str, tmp: Path) -> list[tuple[str, list[SubmittedClaim]]]:
    """The samples sent; each transaction set as (its BHT03, its claims)."""
    _run("claims", *ENCOUNTERS, "--practice", str(ROOT / "samples" / "practice.toml"), "-o",
         str(tmp / "claims.837"), "--db", url, "--now", SENT.isoformat())
    out = []
    with session_scope(url) as s:
        isa13 = {i.id: i.control_number for i in s.exec(select(Interchange)).all()}
    for (_gs06, st02), claims in sorted(sets_of(url).items()):
        out.append((f"{isa13[claims[0].interchange_id]:09d}{st02}", claims))
    text = (tmp / "claims.837").read_text()
    for bht03, _ in out:
        assert f"BHT*0019*00*{bht03}*" in text  # what a 277CA's 2200B TRN02 echoes
    return out


def _status(url: str) -> dict[str, dict]:  # type: ignore[type-arg]
    rows = json.loads(_run("claims", "status", "--json", "--as-of", "2026-04-02", "--db", url))
    return {r["claim_id"]: r for r in rows}


def _batch_277(trace: str, stc: str, *, provider_stc: str | None = None,
               count: int = 0) -> str:
    """A 277CA answering a batch above the claims (no patient level), as a payer sends
    a whole-batch rejection: the receiver's TRN02 and STC, optionally a provider level."""
    text = render_277([], source=("PR", "MEDICARE PART B", "PI", "12502"),
                      receiver="SPRDERM01", control=601, when=WHEN)
    text = text.replace("TRN*2*601~", f"TRN*2*{trace}~").replace(
        "STC*A1:20*20260402*WQ*0~", f"STC*{stc}*20260402*{'U' if stc[:2] != 'A1' else 'WQ'}"
        f"*0~").replace("QTY*90*0~", f"QTY*{'AA' if stc[:2] != 'A1' else '90'}*{count}~")
    extra = 0
    if provider_stc is not None:
        provider = ("HL*3*2*19*0~\nNM1*85*2*BILLING PROVIDER*****XX*1234567893~\n"
                    f"TRN*1*601-3~\nSTC*{provider_stc}*20260402*U*0~\nQTY*AA*{count}~\n")
        text = text.replace("AMT*YU*0~\n", "AMT*YU*0~\n" + provider)
        extra = 5
    return text.replace("SE*14*0601~", f"SE*{14 + extra}*0601~")


def test_a_batch_rejected_at_the_receiver_level_rejects_its_claims(
        store_url: str, tmp_path: Path) -> None:
    url = store_url
    (trace, claims), (_, others) = _sent(url, tmp_path)
    (tmp_path / "batch.277").write_text(_batch_277(trace, "A3:24:41", count=len(claims)))
    out = _run("ack", "load", str(tmp_path / "batch.277"), "--db", url)
    assert f"{len(claims)} claims answered (0 accepted, {len(claims)} rejected)" in out
    rows = _status(url)
    for c in claims:
        assert rows[c.claim_id]["status"] == "rejected"
        assert "A3:24:41" in rows[c.claim_id]["reason"]
    assert {rows[c.claim_id]["status"] for c in others} == {"sent"}
    listed = _run("rejections", "--db", url)
    assert all(c.claim_id in listed for c in claims)
    assert not any(c.claim_id in listed for c in others)
    with session_scope(url) as s:  # never accepted: free to go out again as new originals
        released = {c.claim_id for c in s.exec(select(SubmittedClaim).where(
            SubmittedClaim.released_at.is_not(None))).all()}  # type: ignore[union-attr]
    assert released == {c.claim_id for c in claims}
    # a batch this store never sent: nothing changes, a finding says so
    (tmp_path / "other.277").write_text(_batch_277("0000099990001", "A3:24:41"))
    out = _run("ack", "load", str(tmp_path / "other.277"), "--db", url)
    assert "0 claims answered" in out and "names batch 0000099990001, which this store " \
        "did not send" in out


def test_a_billing_provider_rejection_rejects_the_batch_its_receiver_names(
        store_url: str, tmp_path: Path) -> None:
    url = store_url
    _, (trace, claims) = _sent(url, tmp_path)
    (tmp_path / "p.277").write_text(_batch_277(trace, "A1:19:PR", provider_stc="A3:562:85",
                                               count=len(claims)))
    out = _run("ack", "load", str(tmp_path / "p.277"), "--db", url)
    assert f"{len(claims)} claims answered (0 accepted, {len(claims)} rejected)" in out
    rows = _status(url)
    assert all("A3:562:85" in rows[c.claim_id]["reason"] for c in claims)


def test_a_batch_acceptance_acknowledges_the_claims_not_answered_one_by_one(
        store_url: str, tmp_path: Path) -> None:
    url = store_url
    (trace, claims), _ = _sent(url, tmp_path)
    # the batch's A1:20 (received) with the first claim rejected at the claim level: that
    # answer wins for it, the others are acknowledged by the batch's status
    text = answer_277([(claims[0], [rejected_npi(WHEN.date())])], when=WHEN)
    assert "TRN*2*601~" in text and "STC*A1:20*" in text
    text = text.replace("TRN*2*601~", f"TRN*2*{trace}~")
    (tmp_path / "a.277").write_text(text)
    out = _run("ack", "load", str(tmp_path / "a.277"), "--db", url)
    assert f"{len(claims)} claims answered ({len(claims) - 1} accepted, 1 rejected)" in out
    rows = _status(url)
    assert rows[claims[0].claim_id]["status"] == "rejected"
    assert {rows[c.claim_id]["status"] for c in claims[1:]} == {"acknowledged"}


def test_a_999_for_an_834_changes_no_claim(store_url: str, tmp_path: Path) -> None:
    url = store_url
    _sent(url, tmp_path)
    (gs06, st02), claims = sorted(sets_of(url).items())[0]
    # an enrollment file's 999: the same GS06/ST02 numbers, AK101 BE, AK201 834, rejected
    group = GroupAck("BE", str(gs06), "005010X220A1", "R", 1, 1, 0, (), 0, (
        TransactionSetAck("834", st02, "005010X220A1", "R", ("5",), 0),))
    (tmp_path / "e.999").write_text(render_999([group], sender="EXCLEARINGHSE",
                                               receiver="SPRDERM01", control=9, when=SENT))
    out = _run("ack", "load", str(tmp_path / "e.999"), "--db", url)
    assert "0 claims answered (0 accepted, 0 rejected)" in out
    assert "answers something this store did not send (AK101 BE, AK103 005010X220A1, " \
           "AK201 834" in out
    rows = _status(url)
    assert {rows[c.claim_id]["status"] for c in claims} == {"sent"}
    with session_scope(url) as s:
        released = s.exec(select(SubmittedClaim).where(
            SubmittedClaim.released_at.is_not(None))).all()  # type: ignore[union-attr]
    assert released == []  # nothing freed for re-sending
    # the same numbers in a real 837 999 still tie
    ours = GroupAck("HC", str(gs06), "005010X222A1", "R", 1, 1, 0, (), 0, (
        TransactionSetAck("837", st02, "005010X222A1", "R", ("5",), 0),))
    (tmp_path / "h.999").write_text(render_999([ours], sender="EXCLEARINGHSE",
                                               receiver="SPRDERM01", control=10, when=SENT))
    out = _run("ack", "load", str(tmp_path / "h.999"), "--db", url)
    assert f"{len(claims)} claims answered (0 accepted, {len(claims)} rejected)" in out
