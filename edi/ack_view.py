"""A 999 or 277CA file as people and programs read it (`dermclaim ack show`), no store.

999: each transaction (ST/SE) answers one functional group sent (AK1) and, inside it, the
transaction sets it names (AK2) with their segment errors (IK3), element errors (IK4) and
verdict (IK5), then the group's verdict and counts (AK9): every code with its meaning from
`edi/data/ack_999_codes.csv`. 277CA: the statuses at every level (information source,
receiver, billing providers, each claim by our claim id and each service line by its line
control number), each STC composite in words (`edi.ack_codes.describe`). Nothing a sender
copied back of the claim's data (IK404 values, patient names) is kept by the readers, so
none is shown.

`ack_dict(kind, acks)` is the JSON shape (snake_case, ISO dates, money as strings);
`ack_lines(kind, acks)` the text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from edi import ack_codes
from edi.acks import AckEnvelope, AckFinding
from edi.errors import EdiError
from edi.wording import money_text
from edi.x277.model import Ack277, LineAck, Party, Status
from edi.x999.model import Ack999, ElementError, SegmentError, TransactionSetAck

__all__ = ["ack_dict", "ack_lines", "read_ack_path"]


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _m(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _code(element: str, code: str) -> dict[str, str]:
    return {"code": code, "meaning": ack_codes.ack999_meaning(element, code) or ack_codes.UNKNOWN}


def _envelope(e: AckEnvelope) -> dict[str, Any]:
    return {"sender_id": e.sender_id.strip(), "receiver_id": e.receiver_id.strip(),
            "interchange_control_number": e.interchange_control_number,
            "group_control_number": e.group_control_number, "functional_id": e.functional_id,
            "version": e.version, "date": _d(e.date), "usage_indicator": e.usage_indicator}


def _findings(findings: Sequence[AckFinding]) -> list[dict[str, Any]]:
    return [{"segment_number": f.segment_number, "segment_id": f.segment_id,
             "message": f.message} for f in findings]


# ------------------------------------------------------------------------------ 999

def _element(e: ElementError) -> dict[str, Any]:
    return {"position": e.position, "component": e.component, "repetition": e.repetition,
            "element_reference": e.element_reference, **_code("IK403", e.code),
            "segment_number": e.segment_number, "context": list(e.context)}


def _segment(s: SegmentError) -> dict[str, Any]:
    return {"segment_id": s.segment_id, "position": s.position, "loop": s.loop or None,
            **_code("IK304", s.code), "segment_number": s.segment_number,
            "context": list(s.context), "elements": [_element(e) for e in s.elements]}


def _set(t: TransactionSetAck) -> dict[str, Any]:
    return {"transaction_set_id": t.transaction_set_id, "control_number": t.control_number,
            "convention": t.convention, **_code("IK501", t.code), "accepted": t.accepted,
            "error_codes": [_code("IK502", c) for c in t.error_codes],
            "segment_number": t.segment_number,
            "segment_errors": [_segment(s) for s in t.segment_errors]}


def _999(a: Ack999) -> dict[str, Any]:
    g = a.group
    return {
        "control_number": a.control_number, "envelope": _envelope(a.envelope),
        "segment_number": a.segment_number,
        "group": {"functional_id": g.functional_id,
                  "group_control_number": g.group_control_number, "version": g.version,
                  **_code("AK901", g.code), "accepted": g.accepted, "included": g.included,
                  "received": g.received, "accepted_count": g.accepted_count,
                  "error_codes": [_code("AK905", c) for c in g.error_codes],
                  "segment_number": g.segment_number,
                  "transaction_sets": [_set(t) for t in g.transactions]},
        "findings": _findings(a.findings),
    }


# ------------------------------------------------------------------------------ 277CA

def _status(s: Status) -> dict[str, Any]:
    codes: list[Any] = list(s.codes)  # read-only attrs: describe() reads them only
    return {"codes": [{"code": c.text(), "category": c.category, "status": c.status or None,
                       "entity": c.entity or None, "meaning": ack_codes.describe(c)}
                      for c in codes],
            "rejected": s.rejected, "effective": _d(s.effective), "action": s.action or None,
            "charge": _m(s.charge), "paid": _m(s.paid), "message": s.message or None,
            "segment_number": s.segment_number}


def _party(p: Party | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"level": p.level, "entity": p.entity, "name": p.name.strip() or None,
            "id_qualifier": p.id_qualifier or None, "id": p.id or None,
            "trace": p.trace or None, "statuses": [_status(s) for s in p.statuses],
            "segment_number": p.segment_number}


def _line(ln: LineAck) -> dict[str, Any]:
    return {"line_control_number": ln.control_number, "qualifier": ln.qualifier,
            "code": ln.code, "modifiers": list(ln.modifiers), "charge": _m(ln.charge),
            "units": None if ln.units is None else format(ln.units, "f"),
            "service_date": _d(ln.service_date), "rejected": any(s.rejected
                                                                 for s in ln.statuses),
            "statuses": [_status(s) for s in ln.statuses], "segment_number": ln.segment_number}


def _277(a: Ack277) -> dict[str, Any]:
    return {
        "control_number": a.control_number, "envelope": _envelope(a.envelope),
        "reference": a.reference, "created": _d(a.created), "segment_number": a.segment_number,
        "source": _party(a.source), "receiver": _party(a.receiver),
        "providers": [_party(p) for p in a.providers],
        "claims": [{"claim_id": c.claim_id, "rejected": c.rejected
                    or any(s.rejected for ln in c.lines for s in ln.statuses),
                    "payer_claim_number": c.payer_claim_number,
                    "clearinghouse_trace": c.clearinghouse_trace,
                    "service_from": _d(c.service_from), "service_to": _d(c.service_to),
                    "provider_id": c.provider_id or None, "bill_type": c.bill_type,
                    "statuses": [_status(s) for s in c.statuses],
                    "lines": [_line(ln) for ln in c.lines], "segment_number": c.segment_number}
                   for c in a.claims],
        "findings": _findings(a.findings),
    }


def ack_dict(file: str, kind: str, acks: Sequence[Ack999] | Sequence[Ack277]) -> dict[str, Any]:
    """The JSON shape of `ack show`: the file, its kind, each transaction, and totals."""
    if kind == "999":
        items = [_999(a) for a in acks if isinstance(a, Ack999)]
        sets = [t for i in items for t in i["group"]["transaction_sets"]]
        totals = {"transactions": len(items), "transaction_sets": len(sets),
                  "accepted_sets": sum(1 for t in sets if t["accepted"]),
                  "rejected_sets": sum(1 for t in sets if not t["accepted"]),
                  "findings": sum(len(i["findings"]) for i in items)}
    else:
        items = [_277(a) for a in acks if isinstance(a, Ack277)]
        claims = [c for i in items for c in i["claims"]]
        totals = {"transactions": len(items), "claims": len(claims),
                  "rejected_claims": sum(1 for c in claims if c["rejected"]),
                  "findings": sum(len(i["findings"]) for i in items)}
    return {"file": file, "kind": kind, "items": items, "totals": totals}


def read_ack_path(path: str | Path, source: str | None = None
                  ) -> tuple[str, list[Ack999] | list[Ack277]]:
    """("999" or "277CA", its transactions). EdiError (naming `source`, else the path) when
    the file is not X12, not readable, or another transaction type (an 835, an 837P)."""
    from edi.x12.tokenizer import X12Tokenizer
    from edi.x277.reader import read_277_path
    from edi.x999.reader import read_999_path

    name = source or str(path)
    kind = ""
    with open(path, encoding="utf-8", errors="replace", newline="") as stream:
        for _number, elements in X12Tokenizer(stream, source=name):
            if elements[0] == "ST":
                kind = elements[1].strip() if len(elements) > 1 else ""
                break
    if kind == "999":
        return "999", read_999_path(path)
    if kind == "277":
        return "277CA", read_277_path(path)
    raise EdiError(f"{name}: ST01 is {kind or 'missing'}: `ack show` reads 999 and 277CA "
                   "acknowledgments (an 835: `remit show`; an 837P: `validate`)")


# ------------------------------------------------------------------------------ text

def _stc_text(statuses: list[dict[str, Any]]) -> Iterator[str]:
    for s in statuses:
        when = f" on {s['effective']}" if s["effective"] else ""
        money = f" charge {money_text(Decimal(s['charge']))}" if s["charge"] else ""
        for c in s["codes"]:
            yield f"{c['code']}{when}{money}: {c['meaning']}"
        if s["message"]:
            yield f"message: {s['message']}"


def ack_lines(doc: dict[str, Any]) -> Iterator[str]:
    """`ack show` as text, from `ack_dict`'s shape."""
    yield f"{doc['file']}: {doc['kind']}"
    for t in doc["items"]:
        e = t["envelope"]
        yield ""
        yield (f"Transaction {t['control_number']} (segment {t['segment_number']}), "
               f"interchange {e['interchange_control_number']} from {e['sender_id']} "
               f"on {e['date'] or 'unknown date'}")
        if doc["kind"] == "999":
            yield from _999_lines(t)
        else:
            yield from _277_lines(t)
        for f in t["findings"]:
            where = f"segment {f['segment_number']} {f['segment_id'] or ''}".strip()
            yield f"  finding: {where}: {f['message']}"
    tot = doc["totals"]
    yield ""
    yield "totals: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in tot.items())


def _999_lines(t: dict[str, Any]) -> Iterator[str]:
    g = t["group"]
    yield (f"  AK1 group {g['group_control_number']} ({g['functional_id']}, {g['version']})")
    for s in g["transaction_sets"]:
        yield (f"    AK2 set {s['transaction_set_id']} {s['control_number']}"
               f" ({s['convention']}): IK5 {s['code']} {s['meaning']}")
        for c in s["error_codes"]:
            yield f"      IK5 error {c['code']}: {c['meaning']}"
        for seg in s["segment_errors"]:
            pos = f" position {seg['position']}" if seg["position"] else ""
            loop = f" loop {seg['loop']}" if seg["loop"] else ""
            yield f"      IK3 {seg['segment_id']}{pos}{loop}: {seg['code']} {seg['meaning']}"
            for el in seg["elements"]:
                ref = (f"{seg['segment_id']}{el['position']:02d}" if el["position"]
                       else "element")
                yield (f"        IK4 {ref} (element {el['element_reference']}): "
                       f"{el['code']} {el['meaning']}")
    counts = (f"{g['included']} included, {g['received']} received, "
              f"{g['accepted_count']} accepted")
    yield f"  AK9 {g['code']} {g['meaning']} ({counts})"
    for c in g["error_codes"]:
        yield f"    AK9 error {c['code']}: {c['meaning']}"


def _277_lines(t: dict[str, Any]) -> Iterator[str]:
    for label, party in (("source", t["source"]), ("receiver", t["receiver"]),
                         *(("provider", p) for p in t["providers"])):
        if party is None:
            continue
        name = party["name"] or party["id"] or ""
        yield f"  {label} {name}".rstrip()
        for text in _stc_text(party["statuses"]):
            yield f"    {text}"
    for c in t["claims"]:
        verdict = "REJECTED" if c["rejected"] else "accepted"
        ref = f"  payer claim {c['payer_claim_number']}" if c["payer_claim_number"] else ""
        yield f"  claim {c['claim_id']}: {verdict}{ref}"
        for text in _stc_text(c["statuses"]):
            yield f"    {text}"
        for ln in c["lines"]:
            code = ":".join([ln["code"], *ln["modifiers"]])
            yield f"    line {ln['line_control_number'] or '-'} {code}"
            for text in _stc_text(ln["statuses"]):
                yield f"      {text}"
