"""Tables checked against each other: CARC/RARC lists cover the reference docs, the corpus
and reconcile's cause table; element positions are unique per segment; the loop tables
and the reader's handler tables name the same segments."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, corpus_params

from edi import codes
from edi.x835 import segments
from edi.x835.loops import LOOP_MEMBERS, LOOP_TRIGGERS
from edi.x835.machine import Reader835
from edi.x835.reader import read_835_path

REFERENCE = CORPUS.parent / "reference"
# A de-identified placeholder in the Nth multi-interchange sample, not a published RARC.
NOT_REAL_CODES = {"X999"}


def _section(text: str, title: str) -> str:
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start: end if end > 0 else None]


def reference_codes() -> tuple[set[str], set[str]]:
    """CARCs and RARCs named in domain-facts.md s9 and derm-coding.md's remittance table."""
    carc: set[str] = set()
    rarc: set[str] = set()
    facts = _section((REFERENCE / "domain-facts.md").read_text(encoding="utf-8"), "## 9.")
    for line in facts.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or not cells[0] or cells[0].startswith(("CARC", "RARC", "-")):
            continue
        for code in re.split(r"\s*/\s*", cells[0]):
            (rarc if re.fullmatch(r"(M|N|MA)\d+", code) else carc).add(code)
    derm = _section((REFERENCE / "derm-coding.md").read_text(encoding="utf-8"),
                    "## Remittance codes")
    for line in derm.splitlines():
        cells = line.strip().strip("|").split("|")
        if len(cells) != 3 or cells[0].strip() in ("cause", "---"):
            continue
        for cell in cells[1:]:
            # drop explanations: "(included in another service)", "... on an E/M billed
            # without 25 beside ..." (25 there is a modifier, not a CARC)
            plain = re.sub(r"\([^)]*\)", "", cell).split(" on ")[0]
            for token in re.findall(r"\b[A-Z]{0,2}\d{1,3}\b", plain):
                (rarc if re.fullmatch(r"(M|N|MA)\d+", token) else carc).add(token)
    return carc, rarc


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="no ../shared/reference")
def test_every_reference_code_has_a_meaning() -> None:
    carc, rarc = reference_codes()
    assert {"97", "236", "B15", "45", "253"} <= carc and {"N383", "M15", "N122"} <= rarc
    assert sorted(c for c in carc if codes.carc_meaning(c) is None) == []
    assert sorted(c for c in rarc if codes.rarc_meaning(c) is None) == []


@pytest.mark.parametrize("path", corpus_params("835"))
def test_every_corpus_code_has_a_meaning(path: Path) -> None:
    missing = set()
    for r in read_835_path(path):
        for claim in r.claims:
            adjustments = [*claim.adjustments]
            remarks = [m.code for m in claim.remarks]
            for line in claim.service_lines:
                adjustments += line.adjustments
                remarks += [m.code for m in line.remarks if m.qualifier == "HE"]
            missing |= {f"CARC {a.reason}" for a in adjustments if not codes.carc_meaning(a.reason)}
            missing |= {f"group {a.group}" for a in adjustments if not codes.group_meaning(a.group)}
            missing |= {f"RARC {c}" for c in remarks
                        if c not in NOT_REAL_CODES and not codes.rarc_meaning(c)}
    assert missing == set()


def test_reconcile_cause_table_codes_have_meanings() -> None:
    table = ROOT / "reconcile" / "denials" / "data" / "denial_causes.csv"
    if not table.exists():
        pytest.skip("reconcile's cause table is not there yet")
    rows = csv.DictReader(line for line in table.read_text(encoding="utf-8").splitlines()
                          if not line.startswith("#"))
    missing = set()
    for row in rows:
        if row["carc"] not in ("*", "") and not codes.carc_meaning(row["carc"]):
            missing.add(f"CARC {row['carc']}")
        if row["rarc"] not in ("*", "") and not codes.rarc_meaning(row["rarc"]):
            missing.add(f"RARC {row['rarc']}")
    assert missing == set()


def test_code_tables_are_well_formed() -> None:
    for table in (codes.carc_table(), codes.rarc_table(), codes.group_table()):
        assert table
        for info in table.values():
            assert info.meaning and info.source and info.status in ("active", "deactivated")
            assert not info.meaning.endswith(".")  # short paraphrases, not the WPC sentences
    assert codes.carc_meaning(" co ") is None and codes.group_meaning("co") is not None
    assert codes.carc_meaning("NOPE") is None


def test_element_positions_are_unique_per_segment() -> None:
    by_segment: dict[str, dict[int, str]] = defaultdict(dict)
    for name, value in vars(segments).items():
        match = re.fullmatch(r"([A-Z]{2,3}\d?)(\d\d)", name)
        if match and isinstance(value, int):
            sid, position = match.group(1), int(match.group(2))
            assert value == position, f"{name} = {value}"
            assert value not in by_segment[sid], f"{name} repeats position {value}"
            by_segment[sid][value] = name
    assert by_segment["CLP"] and by_segment["SVC"] and by_segment["BPR"]
    reasons = [t[0] for t in segments.CAS_TRIPLETS]
    assert reasons == [2, 5, 8, 11, 14, 17]
    assert [p[0] for p in segments.PLB_PAIRS] == [3, 5, 7, 9, 11, 13]


def test_loop_tables_and_reader_handlers_agree() -> None:
    import io

    reader = Reader835(io.StringIO(""), "t", False)
    assert {loop: set(h) for loop, h in reader.members.items()} == {
        loop: set(m) for loop, m in LOOP_MEMBERS.items()}
    assert set(reader.openers) == set(LOOP_TRIGGERS)
    for trigger in LOOP_TRIGGERS.values():
        assert trigger.opens in LOOP_MEMBERS and trigger.after <= set(LOOP_MEMBERS)
    # no segment is both a trigger and a member of a loop it may be read in
    for sid, trigger in LOOP_TRIGGERS.items():
        for loop in trigger.after:
            assert sid not in LOOP_MEMBERS[loop]
