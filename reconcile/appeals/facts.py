"""The rule behind a denied line, as an appeal argues it: which row of
`reconcile/appeals/data/appeal_arguments.csv` applies, and the facts that fill its placeholders.

The facts come from the line as sent, the stored encounter of the submitted claim (what the
note documents) and the edit tables in force:

* `missing_25` / `bundling_em`: the E/M's documented separateness and its own diagnoses
  against the same-day procedures';
* `bundling`: the NCCI PTP pair (column 1 on the same claim, modifier indicator, edit
  source) and each line's documented site, laterality and lesion;
* `count`: the units the coding engine gives the documented count, against the MUE value and
  its adjudication indicator (guide override, else the table in force);
* `cosmetic` / `medical_necessity`: the procedure's documented indications (symptoms);
* `authorization`: the encounter's prior authorization (837P REF*G1);
* `timely_filing`: when the store sent the claim and what acknowledged it.

Where the stored encounter does not document what the argument needs, the fact says so in
brackets (a draft for the biller to complete) and a warning names the gap: no patient data
goes into warnings beyond the claim id.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from attrs import frozen

from coding.model import DISTINCT_MODIFIERS as BYPASS
from coding.model import Encounter, Procedure
from coding.validation import dotted
from companion_guides import Guide
from reconcile.denials.classify import is_em
from reconcile.errors import StoreError

PATHOLOGY_TYPES = frozenset({"biopsy", "excision", "shave", "pathology", "mohs"})


@frozen
class Argument:
    key: str
    appealable: bool
    argument: str
    rule: str
    attachments: tuple[str, ...]
    refusal: str
    source: str


@frozen
class SentLine:
    """A submitted line as the facts need it."""

    line_control_number: str
    code: str
    modifiers: tuple[str, ...]
    units: int
    procedure_index: int | None
    date_of_service: date


@frozen
class LineFacts:
    key: str  # the appeal_arguments.csv row
    values: dict[str, str]
    warnings: tuple[str, ...]
    abn: bool
    pathology: bool


class _Strict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise StoreError(f"reconcile/appeals/data/appeal_arguments.csv: placeholder {{{key}}} "
                         "is not a fact the store provides for this cause")


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("reconcile.appeals") / "data" / name).read_text("utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@cache
def arguments() -> dict[str, Argument]:
    out = {}
    for r in _rows("appeal_arguments.csv"):
        out[r["key"]] = Argument(
            r["key"], r["appealable"] == "yes", r["argument"], r["rule"],
            tuple(a.strip() for a in r["attachments"].split(";") if a.strip()), r["refusal"],
            r["source"])
    return out


@cache
def mue_statements() -> dict[str, tuple[str, bool]]:
    return {r["mai"]: (r["statement"], r["appeal_can_pay"] == "yes")
            for r in _rows("appeal_mue.csv")}


def fill(template: str, values: Mapping[str, str]) -> str:
    return template.format_map(_Strict(values))


def attachments(arg: Argument, facts: LineFacts) -> list[str]:
    """The checklist for the cause, conditional items kept only when they apply."""
    out = []
    for item in arg.attachments:
        if item.endswith("[abn]"):
            if not facts.abn:
                continue
            item = item[:-len("[abn]")].rstrip()
        elif item.endswith("[pathology]"):
            if not facts.pathology:
                continue
            item = item[:-len("[pathology]")].rstrip()
        out.append(item)
    return out


def key_for(cause: str, code: str | None, modifiers: Sequence[str]) -> str:
    """The argument row of a cause for the line as coded."""
    if cause in ("bundling", "modifier", "missing_25") and is_em(code):
        return "bundling_em" if "25" in modifiers else "missing_25"
    return cause


def _site(p: Procedure | None) -> str:
    if p is None:
        return "[site not documented in the stored encounter]"
    where = " ".join(x for x in (p.laterality, p.site.replace("_", " ") if p.site else None)
                     if x) or "site not stated"
    return where + (f" (lesion {p.lesion})" if p.lesion else "")


def _dx(codes: Sequence[str]) -> str:
    return ", ".join(dotted(c) for c in codes) or "none linked"


def _count_text(p: Procedure) -> str | None:
    kind = f"{p.lesion_class} " if p.lesion_class else ""
    if p.count is not None:
        how = f" ({p.method})" if p.method else ""
        return f"{p.count} {kind}lesion(s) treated{how} on the {_site(p)}"
    if p.lesions is not None:
        return f"{p.lesions} lesion(s) injected on the {_site(p)}"
    if p.stages:
        return (f"{len(p.stages)} Mohs stage(s) ({', '.join(map(str, p.stages))} tissue "
                f"block(s)) on the {_site(p)}")
    if p.specimens is not None:
        return f"{p.specimens} specimen(s) examined"
    if p.units is not None:
        return f"{p.units} unit(s)"
    return None


class FactBuilder:
    """Facts for the denied lines of one submitted claim."""

    def __init__(self, claim_id: str, encounter: Encounter | None, lines: Sequence[SentLine],
                 guide: Guide | None, submitted_on: datetime | None = None,
                 interchange: int | None = None, accepted: str | None = None):
        self.claim_id = claim_id
        self.enc = encounter
        self.lines = list(lines)
        self.guide = guide
        self.submitted_on = submitted_on
        self.interchange = interchange
        self.accepted = accepted

    def _proc(self, line: SentLine | None, code: str | None) -> Procedure | None:
        if self.enc is None:
            return None
        procs = self.enc.procedures
        if line is not None and line.procedure_index is not None \
                and 0 <= line.procedure_index < len(procs):
            return procs[line.procedure_index]
        if is_em(code):
            return next((p for p in procs if p.type == "office_visit" and p.code == code), None)
        return None

    def _diagnoses(self, p: Procedure | None) -> tuple[str, ...]:
        if p is None or self.enc is None:
            return ()
        return p.diagnoses or self.enc.diagnoses[:1]

    def facts(self, cause: str, code: str | None, modifiers: Sequence[str], units: int | None,
              dos: date | None, line: SentLine | None) -> LineFacts:
        key = key_for(cause, code, modifiers)
        warn: list[str] = []
        where = f"claim {self.claim_id} {code or '(claim level)'}"
        if self.enc is None:
            warn.append(f"{where}: the stored encounter of the submitted claim is missing or "
                        "unreadable: the letter's documented facts are left in [brackets]")
        p = self._proc(line, code)
        v: dict[str, str] = {
            "code": code or "(claim level)", "dos": dos.isoformat() if dos else "",
            "modifiers": ":".join(modifiers) or "none",
            "modifiers_text": ", ".join(modifiers) or "no modifier",
            "units": str(units if units is not None else 1), "site": _site(p),
            "diagnoses": _dx(self._diagnoses(p)),
            "distinct_modifier": self.guide.distinct_modifier if self.guide else "59",
            "cause": cause.replace("_", " "),
        }
        step = getattr(self, f"_{key}", None)
        if step is not None:
            step(v, warn, where, p, line, code, modifiers, units, dos)
        key = v.pop("key", key)  # bundling with no PTP pair in force argues that instead
        abn = bool(self.enc and (self.enc.abn_on_file or (p is not None and p.abn)))
        pathology = bool(self.enc and any(q.type in PATHOLOGY_TYPES
                                          for q in self.enc.procedures))
        return LineFacts(key, v, tuple(warn), abn, pathology)

    # ------------------------------------------------------------------ per argument row

    def _em(self, v: dict[str, str], warn: list[str], where: str, p: Procedure | None,
            code: str | None) -> None:
        others = [ln for ln in self.lines if not is_em(ln.code)]
        v["procedures"] = ", ".join(
            f"{ln.code}" + (f" x{ln.units}" if ln.units > 1 else "") for ln in others
        ) or "procedure"
        if p is None or not p.separately_identifiable:
            warn.append(f"{where}: the stored encounter does not document the visit as "
                        "significant and separately identifiable: state it from the visit note "
                        "before sending, or accept the bundling")
            v["em_reason"] = ("[state from the visit note what made the visit significant and "
                              "separately identifiable]")
            return
        em_dx = set(self._diagnoses(p))
        proc_dx: set[str] = set()
        for ln in others:
            proc_dx.update(self._diagnoses(self._proc(ln, ln.code)))
        reason = "the visit note documents a significant, separately identifiable service"
        own = sorted(em_dx - proc_dx)
        if own:
            reason += (f" for {_dx(own)}, a problem other than the "
                       f"{_dx(sorted(proc_dx))} the procedures treated")
        else:
            reason += (" that went beyond the decision to perform the procedures (a different "
                       "diagnosis is not required)")
        v["em_reason"] = reason

    def _missing_25(self, v: dict[str, str], warn: list[str], where: str, p: Procedure | None,
                    line: SentLine | None, code: str | None, *_: Any) -> None:
        self._em(v, warn, where, p, code)

    def _bundling_em(self, v: dict[str, str], warn: list[str], where: str,
                     p: Procedure | None, line: SentLine | None, code: str | None,
                     *_: Any) -> None:
        self._em(v, warn, where, p, code)

    def _bundling(self, v: dict[str, str], warn: list[str], where: str, p: Procedure | None,
                  line: SentLine | None, code: str | None, modifiers: Sequence[str],
                  units: int | None, dos: date | None) -> None:
        from coding.edits.ncci_file import load_ptp
        from coding.edits.tables import known_codes

        ptp = load_ptp(None, known_codes())
        day = dos or (self.enc.date_of_service if self.enc else date.today())
        others = [ln for ln in self.lines if line is None
                  or ln.line_control_number != line.line_control_number]
        found = []
        for ln in others:
            if code and (edit := ptp.lookup(ln.code, code, day)) and edit.indicator != "9":
                found.append((edit.indicator != "1", ln, edit))
        mod = v["distinct_modifier"]
        carried = sorted(set(modifiers) & BYPASS)
        v["modifier_statement"] = (
            f"The line carried modifier {carried[0]}, the NCCI-associated modifier this payer "
            "requires for it." if carried else
            f"Modifier {mod} (distinct procedural service), which the documentation supports, "
            f"belongs on {code}: we ask that the line be paid with it.")
        v["this_site"] = _site(p)
        v["ptp_source"] = ptp.origin
        if not found:
            v["key"] = "bundling_no_edit"
            v["others"] = ", ".join(ln.code for ln in others) or "none"
            return
        found.sort(key=lambda t: t[0])
        _, col1, edit = found[0]
        q = self._proc(col1, col1.code)
        v.update(column1=col1.code, indicator=edit.indicator, column1_site=_site(q),
                 ptp_source=f"{ptp.origin}: {edit.source}")
        if edit.indicator == "0":
            warn.append(f"{where}: NCCI pair {col1.code}/{code} has modifier indicator 0: no "
                        "modifier bypasses it, so an appeal on distinct sites is unlikely to "
                        "succeed")
        elif p is None or q is None or not _distinct(p, q):
            warn.append(f"{where}: the stored encounter does not document a separate lesion or "
                        f"site for {code} and {col1.code}: check the procedure note before "
                        "sending")

    def _count(self, v: dict[str, str], warn: list[str], where: str, p: Procedure | None,
               line: SentLine | None, code: str | None, modifiers: Sequence[str],
               units: int | None, dos: date | None) -> None:
        from coding.edits.mue_file import load_mue

        billed = units if units is not None else 1
        documented = self._documented_units(code)
        v["documented_units"] = str(documented) if documented is not None else (
            "[the documented units]")
        texts = [t for t in (_count_text(q) for q in self._procs_for(code)) if t]
        v["documented"] = "; ".join(texts) or self._rationale(code) or (
            "[the documented count and sites]")
        if documented is None:
            warn.append(f"{where}: the documented count could not be read from the stored "
                        "encounter: give it from the procedure note")
        elif documented < billed:
            warn.append(f"{where}: the note documents {documented} unit(s) but {billed} were "
                        "billed: send a corrected claim (dermclaim correct), not an appeal")
        row = load_mue().get(code or "")
        mue: int | None = row.units if row else None
        source = f"MUE source: {row.source}" if row else "no MUE in the table in force"
        if self.guide and code in self.guide.mue_overrides:
            mue, source = self.guide.mue_overrides[code or ""], f"companion guide {self.guide.name}"
        mai = (row.mai if row else None) or ""
        statements = mue_statements()
        text, can_pay = statements["none"] if mue is None else statements[mai]
        v.update(mue=str(mue) if mue is not None else "none", mai=mai or "not stated",
                 mue_source=source)
        v["mue_rule"] = (f"{code} {mue} unit(s) per date of service, adjudication indicator "
                         f"{mai or 'not stated'} ({source})" if mue is not None else
                         f"no MUE for {code} in the table in force")
        v["mue_statement"] = fill(text, {**v})
        if not can_pay and documented is not None and mue is not None and documented > mue:
            warn.append(f"{where}: MUE {mue} for {code} has MAI {mai} (absolute): units above "
                        "it are not paid on appeal")

    def _cosmetic(self, v: dict[str, str], warn: list[str], where: str, p: Procedure | None,
                  *_: Any) -> None:
        if p is not None and p.medical_necessity:
            v["indications"] = p.medical_necessity
            return
        v["indications"] = "[the documented symptoms: bleeding, itching, pain, inflammation ...]"
        warn.append(f"{where}: no medical necessity (symptoms) is documented on the procedure in "
                    f"the stored encounter: an appeal of a {v['cause']} denial needs them"
                    + (" (the encounter marks it cosmetic)" if p is not None and p.cosmetic
                       else ""))

    _medical_necessity = _cosmetic

    def _authorization(self, v: dict[str, str], warn: list[str], where: str, *_: Any) -> None:
        auth = self.enc.prior_authorization if self.enc else None
        if auth:
            v["authorization"] = auth
            return
        v["authorization"] = "[authorization number]"
        warn.append(f"{where}: the stored claim has no prior authorization number (REF*G1): add "
                    "the number, or request a retro-authorization first")

    def _timely_filing(self, v: dict[str, str], warn: list[str], where: str, p: Procedure | None,
                       line: SentLine | None, code: str | None, modifiers: Sequence[str],
                       units: int | None, dos: date | None) -> None:
        days = self.guide.timely_filing_days if self.guide else 365
        v["filing_days"] = str(days)
        if self.submitted_on is None:
            v.update(submitted_on="[date first submitted]", interchange="[number]",
                     days_after="[n]", acceptance="[the acceptance report]")
            warn.append(f"{where}: the store did not send this claim: attach your own proof of "
                        "timely submission")
            return
        sent = self.submitted_on.date()
        v.update(submitted_on=sent.isoformat(), interchange=str(self.interchange or ""),
                 days_after=str((sent - dos).days) if dos else "[n]")
        v["acceptance"] = (f"the acceptance is attached ({self.accepted})" if self.accepted
                           else "the clearinghouse acceptance report is attached")
        if not self.accepted:
            warn.append(f"{where}: the store holds no 999/277CA acceptance of this claim: attach "
                        "the clearinghouse acceptance report")
        if dos and (sent - dos).days > days:
            warn.append(f"{where}: first sent {(sent - dos).days} days after the date of service, "
                        f"beyond the {days}-day limit: the denial looks right")

    def _modifier(self, v: dict[str, str], warn: list[str], where: str, p: Procedure | None,
                  *_: Any) -> None:
        v["documented"] = (f"{p.type.replace('_', ' ')} at the {_site(p)}" if p is not None
                           else "[what the note documents for the modifier]")

    # ------------------------------------------------------------------------- helpers

    def _procs_for(self, code: str | None) -> list[Procedure]:
        out = []
        for ln in self.lines:
            if ln.code == code and (q := self._proc(ln, code)) is not None and q not in out:
                out.append(q)
        return out

    def _coded(self) -> Any:
        """The documented encounter coded again by the coding engine (once), or None."""
        if self.enc is None:
            return None
        if not hasattr(self, "_coded_claim"):
            from coding.engine import code_encounter
            from coding.errors import CodingError

            try:
                self._coded_claim: Any = code_encounter(self.enc, self.guide)
            except (CodingError, ValueError):
                self._coded_claim = None
        return self._coded_claim

    def _documented_units(self, code: str | None) -> int | None:
        """The units the coding engine gives `code` from the documented encounter."""
        coded = self._coded()
        units = [ln.units for ln in coded.lines if ln.code == code] if coded and code else []
        return sum(units) if units else None

    def _rationale(self, code: str | None) -> str | None:
        """What the engine read from the note for `code` (its rationale's first clause)."""
        coded = self._coded()
        line = next((ln for ln in coded.lines if ln.code == code), None) if coded else None
        if line is None or not line.rationale:
            return None
        return line.rationale.split(";")[0].replace(" → ", ", so ").strip()


def _distinct(a: Procedure, b: Procedure) -> bool:
    if a.lesion and b.lesion:
        return a.lesion != b.lesion
    if a.site != b.site:
        return a.site is not None and b.site is not None
    return a.laterality is not None and b.laterality is not None and a.laterality != b.laterality
