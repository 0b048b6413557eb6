"""File names from claim ids (issue 21): unique and reversible, checked for clashes before
anything is written. Reproduction: `appeal 1 2 3 4 -o letters --sent` on claims `EXT/1`,
`EXT_1` and two ids sharing their first 70 characters reported four letters and left two."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from remit_helpers import add_submitted
from test_appeal_letters import AS_OF, ENCOUNTERS, PRACTICE, _answers, _load, _run

from edi.atomic import (
    FileNameClash,
    check_unique_targets,
    original_text,
    put_or_take_back,
    safe_file_name,
    stage,
)
from edi.x835.answers import claim_payment, deny

LONG = "L" * 19  # the store keeps claim ids of up to 20 characters


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_names_are_unique_and_reversible(a: str, b: str) -> None:
    na, nb = safe_file_name(a), safe_file_name(b)
    for text, name in ((a, na), (b, nb)):  # read back, or shortened with its hash
        assert original_text(name) == text or ("~" in name and len(name) <= 80)
    assert (na == nb) == (a == b)
    assert "/" not in na and not na.startswith(".") and na not in ("", "..")


def test_underscore_slash_and_long_ids_differ() -> None:
    assert safe_file_name("EXT/1") == "EXT_2F1"
    assert safe_file_name("EXT_1") == "EXT_5F1"
    assert safe_file_name("DC-1001.2") == "DC-1001.2"  # plain ids read as they are
    a, b = safe_file_name("L" * 90 + "A"), safe_file_name("L" * 90 + "B")
    assert a != b and len(a) <= 80 and len(b) <= 80
    assert original_text(a) is None  # shortened: the hash keeps it unique, the file the id
    # an escape is never cut in half before the hash
    cut = safe_file_name("é" * 40)
    assert original_text(cut) is None and "~" in cut
    assert all(part == "" or len(part) == 2 for part in cut.split("~")[0].split("_")[1:])


def test_clash_is_refused_before_writing(tmp_path: Path) -> None:
    with pytest.raises(FileNameClash, match="claim A.*claim B|claim B.*claim A"):
        check_unique_targets([(tmp_path / "x.txt", "claim A"), (tmp_path / "X.TXT", "claim B")])
    (tmp_path / "Y.txt").write_text("another claim's letter")
    with pytest.raises(FileNameClash, match="case-insensitive"):
        check_unique_targets([(tmp_path / "y.txt", "claim C")])
    check_unique_targets([(tmp_path / "Y.txt", "claim D"), (tmp_path / "Y.txt", "claim D")])


def test_put_or_take_back_restores_every_file(tmp_path: Path) -> None:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("before")
    staged = [(stage(old, b"after"), old), (stage(new, b"fresh"), new)]
    with pytest.raises(RuntimeError), put_or_take_back(staged):
        assert old.read_text() == "after" and new.read_text() == "fresh"
        raise RuntimeError("the store refused the commit")
    assert old.read_text() == "before" and not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]


def _sent_as(url: str, claim_id: str) -> object:
    """A claim recorded as sent under an id the encounter format would not take (as a
    clearinghouse or an older release may have recorded it: CLM01 is any 1-38 characters)."""
    import json

    from coding.encounter import parse_encounter
    from coding.engine import code_encounter
    from edi.practice import load_practice

    data = json.loads((ENCOUNTERS / "17-biopsy-and-ak-destruction-distinct-sites.json")
                      .read_text())
    coded = code_encounter(parse_encounter(data, "17.json"),
                           fees=load_practice(PRACTICE).fee_schedule)
    data["claim_id"] = claim_id
    return add_submitted(url, claim_id, [(ln.code, ln.modifiers, ln.units, str(ln.charge),
                                          ln.procedure) for ln in coded.lines],
                         payer=coded.encounter.payer, dos=coded.encounter.date_of_service,
                         encounter=data)


def test_four_letters_for_four_claims(store_url: str, tmp_path: Path) -> None:
    ids = ["EXT/1", "EXT_1", LONG + "A", LONG + "B"]
    subs = [_sent_as(store_url, cid) for cid in ids]
    _load(store_url, tmp_path, "medicare.835", [
        claim_payment(s, _answers(s, {"11104": lambda ln: deny(ln, "CO", "97", "N20")}),
                      payer_claim_number=f"ICN-{n}") for n, s in enumerate(subs)])
    import json

    rows = json.loads(_run("denials", "--status", "all", "--json", "--db", store_url))
    denial_ids = sorted(r["denial_id"] for r in rows)
    assert len(denial_ids) == 4
    out = tmp_path / "letters"
    _run("appeal", *map(str, denial_ids), "-o", str(out), "--practice", str(PRACTICE),
         "--as-of", AS_OF, "--db", store_url, "--sent")
    texts = sorted(out.glob("*.txt"))
    assert len(texts) == 4 and len(list(out.glob("*.html"))) == 4
    found = {cid for cid in ids for t in texts if cid in t.read_text()
             and t.name.startswith(safe_file_name(cid))}
    assert found == set(ids)
    for t in texts:
        name = t.name.removesuffix("-redetermination.txt")
        assert original_text(name) in (None, *ids)
    rows = json.loads(_run("denials", "--status", "all", "--json", "--db", store_url))
    assert {r["status"] for r in rows} == {"appealed"}
