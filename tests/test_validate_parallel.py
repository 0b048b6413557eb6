"""pyx12 on several cores: the pieces of an 837P say what the whole file says."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from encounter_batch import make_encounters

import edi.validate as validate
from coding.encounter import load_encounters
from coding.engine import code_encounter
from edi.practice import load_practice
from edi.x12.chunks import split_claims
from edi.x837p.envelope import ControlNumbers, interchange_receiver, usage_indicator
from edi.x837p.submit import prepare
from edi.x837p.writer import render_interchange

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def text(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An 837P of 24 generated encounters: two payers, so two groups and transactions."""
    path = tmp_path_factory.mktemp("enc") / "batch.json"
    path.write_text(json.dumps(make_encounters(24, seed=13)))
    practice = load_practice(ROOT / "samples" / "practice.toml")
    coded = [code_encounter(e, fees=practice.fee_schedule) for e in load_encounters(path)]
    prepared = prepare(coded, NOW)
    assert not prepared.held
    guides = [g for g, _ in prepared.parts]
    control = ControlNumbers(7, tuple(range(1, len(prepared.groups) + 1)),
                             tuple(range(1, prepared.transaction_count + 1)))
    return render_interchange(prepared.groups, practice, control, NOW,
                              receiver=interchange_receiver(practice, prepared.groups, guides),
                              usage=usage_indicator(guides)).text


def _report(text: str, workers: int, monkeypatch: pytest.MonkeyPatch) -> validate.ValidationReport:
    monkeypatch.setenv("DERMCLAIM_VALIDATE_WORKERS", str(workers))
    monkeypatch.setattr(validate, "PARALLEL_FROM", 0)
    return validate.validate_text(text, "batch.837")


def _break(text: str) -> str:
    """Three errors pyx12 finds, in claims that land in different pieces."""
    segments = text.split("~")
    svs = [i for i, s in enumerate(segments) if s.strip().startswith("SV1*")]
    dmgs = [i for i, s in enumerate(segments) if s.strip().startswith("DMG*")]
    first, last = svs[1], dmgs[-1]
    sv = segments[first].split("*")
    sv[3] = "XX"  # not a unit code
    segments[first] = "*".join(sv)
    segments[last] = segments[last].replace("*F", "*Q").replace("*M", "*Q")  # not a sex
    clm = [i for i, s in enumerate(segments) if s.strip().startswith("CLM*")][len(svs) // 8]
    segments[clm] = segments[clm].replace("*Y*A*Y*Y", "*Y*Z*Y*Y")  # not an assignment code
    return "~".join(segments)


def test_pieces_are_whole_interchanges_covering_every_segment(text: str) -> None:
    pieces = split_claims(text, "*", "~", 3)
    assert pieces is not None and len(pieces) == 3
    body = {n for p in pieces for n in p.origin}
    total = len([s for s in text.split("~") if s.strip()])
    assert body == set(range(1, total + 1))  # every segment of the file is in some piece
    for piece in pieces:
        segs = [s.strip() for s in piece.text.split("~") if s.strip()]
        assert segs[0].startswith("ISA*") and segs[-1].startswith("IEA*")
        hls = [s.split("*")[1] for s in segs if s.startswith("HL*")]
        assert hls[0] == "1"  # renumbered from 1 in each transaction


@pytest.mark.parametrize("workers", [2, 3])
def test_a_valid_file_is_valid_in_pieces(text: str, workers: int,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert _report(text, workers, monkeypatch).findings == ()


def test_errors_found_in_pieces_are_those_of_the_whole_file(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = _break(text)
    whole = _report(broken, 1, monkeypatch)
    assert len(whole.errors) >= 3
    assert _report(broken, 3, monkeypatch) == whole  # same findings, same segment numbers


@pytest.mark.parametrize("damage", [
    lambda t: t.replace("SE*", "SE*9", 1),  # a wrong segment count
    lambda t: t.replace("GE*1*", "GE*2*", 1),  # a wrong transaction count
    lambda t: t.replace("HL*3*", "HL*4*", 1),  # HL numbers not sequential
    lambda t: t.replace("HL*2*1*22*0~", "HL*2**20*1~", 1),  # a provider with no subscriber
])
def test_a_file_with_a_wrong_envelope_is_validated_whole(
        text: str, damage, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    broken = damage(text)
    assert split_claims(broken, "*", "~", 3) is None
    assert _report(broken, 3, monkeypatch) == _report(broken, 1, monkeypatch)
    assert _report(broken, 1, monkeypatch).errors


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_rises_to_every_segment(text: str, workers: int,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERMCLAIM_VALIDATE_WORKERS", str(workers))
    monkeypatch.setattr(validate, "PARALLEL_FROM", 0)
    monkeypatch.setattr(validate, "REPORT_EVERY", 50)
    seen: list[tuple[int, int]] = []
    validate.validate_text(text, "batch.837", progress=lambda d, t: seen.append((d, t)))
    total = len([s for s in text.split("~") if s.strip()])
    assert seen[-1] == (total, total)
    assert all(t == total and 0 <= d <= t for d, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_started_validation_runs_while_the_caller_works(text: str,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """`start_validation` returns with pyx12 already at work in the pieces (issue 24:
    `claims` records meanwhile); its result equals `validate_text`'s, broken or not, and a
    cancelled one leaves no worker behind."""
    monkeypatch.setenv("DERMCLAIM_VALIDATE_WORKERS", "2")
    monkeypatch.setattr(validate, "PARALLEL_FROM", 0)
    broken = _break(text)
    pending = validate.start_validation(broken, "batch.837")
    assert pending._parallel is not None
    pending._parallel.cutter.join()  # the pieces go to the workers as they are cut
    assert len(pending._parallel.futures) == 2
    report = pending.result()
    assert report == validate.validate_text(broken, "batch.837")
    assert len(report.errors) >= 3 and report.segment_count == len(
        [s for s in broken.split("~") if s.strip()])
    stopped = validate.start_validation(text, "batch.837")
    pool = stopped._parallel.pool  # type: ignore[union-attr]
    stopped.cancel()
    assert stopped._parallel is None
    assert all(not p.is_alive() for p in (pool._processes or {}).values())


@pytest.mark.parametrize("claims_per_piece", [1, 3, 7, 100])
def test_each_segment_of_a_piece_points_at_its_original(text: str, claims_per_piece: int
                                                        ) -> None:
    """Pieces cut as the text is read (issue 21: flat memory): every segment maps back to
    the segment it copies (the envelope counts and HL numbers are the piece's own), and
    every claim is in exactly one piece. An SE, GE or IEA a piece shares with segments
    still unread gets its number when the reader reaches it."""
    from edi.x12.chunks import iter_pieces

    original = [s.strip() for s in text.split("~") if s.strip()]
    claims = 0
    for piece in list(iter_pieces(text, "*", "~", claims_per_piece)):  # numbers final at the end
        segs = [s.strip() for s in piece.text.split("~") if s.strip()]
        assert len(segs) == len(piece.origin)
        for seg, number in zip(segs, piece.origin, strict=True):
            source = original[number - 1]
            if seg.split("*")[0] in ("HL", "SE", "GE", "IEA"):
                assert source.split("*")[0] == seg.split("*")[0]
            else:
                assert seg == source
        claims += sum(1 for s in segs if s.startswith("CLM*"))
        assert sum(1 for s in segs if s.startswith("HL*") and s.split("*")[3] == "22") \
            <= claims_per_piece
    assert claims == sum(1 for s in original if s.startswith("CLM*"))
