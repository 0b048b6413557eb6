"""The typed model of a 999 (005010X231A1): frozen attrs, one `Ack999` per ST/SE.

A 999 answers ONE functional group of what was sent (AK1: its GS06) and, inside it, the
transaction sets it names (AK2: their ST02) with their segment errors (IK3), element errors
(IK4) and verdict (IK5); AK9 gives the group's verdict and counts. A 999 checks syntax
only: an accepted transaction set is not yet a claim accepted for adjudication (the 277CA
says that). Element values the sender copied back (IK404) are not kept: they can be
patient data.
"""

from __future__ import annotations

from attrs import frozen

from edi.acks import AckEnvelope, AckFinding

ACCEPTED_CODES = frozenset({"A", "E"})  # IK501 / AK901: accepted (E: with errors noted)


@frozen
class ElementError:
    """IK4 (loop 2110): an element in error inside the segment IK3 names."""

    position: int | None  # IK401-1: element position in the segment
    component: int | None  # IK401-2
    repetition: int | None  # IK401-3
    element_reference: str  # IK402: data element reference number
    code: str  # IK403 (621): 1 required element missing, 7 invalid code value...
    segment_number: int
    context: tuple[str, ...] = ()  # CTX after the IK4, as found


@frozen
class SegmentError:
    """IK3 (loop 2100): a segment in error, where it sits in the transaction set sent."""

    segment_id: str  # IK301
    position: int | None  # IK302: position in the transaction set (ST = 1)
    loop: str  # IK303: loop identifier code (2010AA, 2300...)
    code: str  # IK304 (620): 8 segment has data element errors, 3 required missing...
    segment_number: int
    elements: tuple[ElementError, ...] = ()
    context: tuple[str, ...] = ()  # CTX after the IK3 (e.g. CLM01 of the claim)


@frozen
class TransactionSetAck:
    """AK2 ... IK5 (loop 2000): the verdict on one transaction set sent."""

    transaction_set_id: str  # AK201: 837
    control_number: str  # AK202 = ST02 of the set sent
    convention: str  # AK203: 005010X222A1
    code: str  # IK501: A, E, M, R, W, X
    error_codes: tuple[str, ...]  # IK502..IK506 (618)
    segment_number: int
    segment_errors: tuple[SegmentError, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.code in ACCEPTED_CODES


@frozen
class GroupAck:
    """AK1 ... AK9: the verdict on one functional group sent."""

    functional_id: str  # AK101: HC for claims
    group_control_number: str  # AK102 = GS06 of the group sent
    version: str  # AK103
    code: str  # AK901: A, E, M, P (partially accepted), R, W, X
    included: int | None  # AK902: transaction sets in the group sent
    received: int | None  # AK903
    accepted_count: int | None  # AK904
    error_codes: tuple[str, ...]  # AK905..AK909 (716)
    segment_number: int
    transactions: tuple[TransactionSetAck, ...] = ()

    @property
    def accepted(self) -> bool:
        """The group's verdict for the sets it does not name: A/E/P accept them (a 999
        must name every rejected set), R/M/W/X reject the whole group."""
        return self.code in ACCEPTED_CODES or self.code == "P"


@frozen
class Ack999:
    control_number: str  # ST02 of the 999
    envelope: AckEnvelope
    group: GroupAck
    segment_number: int
    findings: tuple[AckFinding, ...] = ()
