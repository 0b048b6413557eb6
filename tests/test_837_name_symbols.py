"""Names with a symbol or emoji (issue 21): the transliteration spelled symbols out, and
claims went out as `NM1*IL*1*HOSPITAL`, `OKAFOR GRINNING`, `OKAFOR HEARTS`. A character is
transliterated only when a standard Latin transliteration exists (ü -> U); a symbol or
emoji holds the claim with a finding naming the field (never the value)."""

from __future__ import annotations

import attrs
import pytest
from claim_builders import NOW, claim, render

from companion_guides import get_guide
from edi.x12.charset import fold, unmapped
from edi.x837p.checks import claim_problems
from edi.x837p.submit import prepare

MEDICARE = get_guide("medicare")


@pytest.mark.parametrize("name", ["\U0001F3E5", "Okafor \U0001F600", "Okafor \u2665",
                                  "Okafor \u2764\ufe0f", "Smith\u00a9", "Lee \u2116 5",
                                  "Okafor\u00bd", "A\u200dB"])
def test_symbols_are_never_spelled_out(name: str) -> None:
    assert unmapped(name)
    folded = fold(name).upper()
    for word in ("HOSPITAL", "GRINNING", "HEART", "(C)", "NO", "1/2"):
        assert word not in folded.replace("OKAFOR", "").replace("LEE", ""), folded


@pytest.mark.parametrize(("name", "x12"), [
    ("Müller", "Muller"), ("Ødegård", "Odegard"), ("O\u2019Brien", "O'Brien"),
    ("Ruth\u00a0Ann", "Ruth Ann")])
def test_latin_letters_and_punctuation_still_fold(name: str, x12: str) -> None:
    assert not unmapped(name) and fold(name) == x12


def test_an_emoji_in_a_name_holds_that_claim_with_a_finding() -> None:
    def with_last(c, last):  # type: ignore[no-untyped-def]
        enc = c.encounter
        return attrs.evolve(c, encounter=attrs.evolve(
            enc, patient=attrs.evolve(enc.patient, last_name=last)))

    bad = with_last(claim("DC-1"), "Okafor \U0001F600")
    hospital = with_last(claim("DC-3"), "\U0001F3E5")
    good = claim("DC-2")
    for c in (bad, hospital):
        problems = claim_problems(c, MEDICARE)
        assert any(p.startswith("patient.last_name has letters outside the Latin alphabet "
                                "(or a symbol or emoji)") for p in problems), problems
        assert not any("\U0001F600" in p or "\U0001F3E5" in p for p in problems)
    prepared = prepare([bad, hospital, good], NOW)
    assert sorted(h.claim_id for h in prepared.held) == ["DC-1", "DC-3"]
    text = render([good]).text
    assert "HOSPITAL" not in text and "GRINNING" not in text
