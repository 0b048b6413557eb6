"""The 835 loop structure as data: which segment opens which loop, from where, and which
segments belong inside each loop. The reader is driven by these tables only.

Loops: ENV (between transactions: ISA/GS/GE/IEA), HEADER (ST, BPR, TRN, CUR, REF, DTM),
1000 (N1 payer 1000A / payee 1000B), 2000 (LX header number with TS3/TS2), 2100 (CLP
claim payment), 2110 (SVC service payment), PLB (provider level adjustments, summary).
"""

from __future__ import annotations

from attrs import frozen

ENV, HEADER, PARTY, HEADER_NUMBER, CLAIM, LINE, SUMMARY = (
    "ENV", "HEADER", "1000", "2000", "2100", "2110", "PLB"
)


@frozen
class Trigger:
    opens: str  # the loop this segment starts
    after: frozenset[str]  # loops it may follow
    meaning: str  # for error messages


# The one table of loop triggers.
LOOP_TRIGGERS: dict[str, Trigger] = {
    "ST": Trigger(HEADER, frozenset({ENV}), "transaction set header"),
    "N1": Trigger(PARTY, frozenset({HEADER, PARTY}), "payer/payee name"),
    "LX": Trigger(HEADER_NUMBER, frozenset({PARTY, HEADER_NUMBER, CLAIM, LINE}), "header number"),
    # CLP straight after 1000B (no LX) is tolerated as a defect by the reader.
    "CLP": Trigger(CLAIM, frozenset({PARTY, HEADER_NUMBER, CLAIM, LINE}), "claim payment"),
    "SVC": Trigger(LINE, frozenset({CLAIM, LINE}), "service payment"),
    "PLB": Trigger(SUMMARY, frozenset({PARTY, HEADER_NUMBER, CLAIM, LINE, SUMMARY}),
                   "provider adjustment"),
    "SE": Trigger(ENV, frozenset({PARTY, HEADER_NUMBER, CLAIM, LINE, SUMMARY}),
                  "transaction set trailer"),
}

# Segments that belong inside each loop (other than the triggers above).
LOOP_MEMBERS: dict[str, frozenset[str]] = {
    ENV: frozenset({"ISA", "GS", "GE", "IEA", "TA1"}),
    HEADER: frozenset({"BPR", "TRN", "CUR", "REF", "DTM"}),
    PARTY: frozenset({"N2", "N3", "N4", "REF", "PER", "RDM"}),
    HEADER_NUMBER: frozenset({"TS3", "TS2"}),
    CLAIM: frozenset({"CAS", "NM1", "MIA", "MOA", "REF", "DTM", "PER", "AMT", "QTY"}),
    LINE: frozenset({"DTM", "CAS", "REF", "AMT", "QTY", "LQ"}),
    SUMMARY: frozenset(),
}

# Every segment ID an 835 may hold; anything else is skipped and reported as a defect.
KNOWN_SEGMENTS: frozenset[str] = frozenset(LOOP_TRIGGERS).union(*LOOP_MEMBERS.values())

# Where a misplaced segment belongs, for a plain error message.
HOME_LOOP: dict[str, str] = {
    sid: loop for loop, members in LOOP_MEMBERS.items() for sid in members
} | {sid: f"after {', '.join(sorted(t.after))}" for sid, t in LOOP_TRIGGERS.items()}

LOOP_NAMES: dict[str, str] = {
    ENV: "outside any transaction",
    HEADER: "the transaction header (BPR/TRN)",
    PARTY: "loop 1000 (payer/payee)",
    HEADER_NUMBER: "loop 2000 (LX header)",
    CLAIM: "loop 2100 (claim payment)",
    LINE: "loop 2110 (service payment)",
    SUMMARY: "the PLB summary",
}
