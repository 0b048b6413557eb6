"""Payer companion-guide settings: one TOML file per payer, loaded into a frozen `Guide`.

Only loading and checking live here; the coding engine and the 837P writer read the
settings. `load_guide("medicare")` reads the shipped `medicare.toml`; `load_guide(path)`
with a path to a `.toml` file reads a user's own guide.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from attrs import frozen

from companion_guides import toml_cache
from companion_guides.routes import AppealLevel, check_routes

__all__ = ["AppealLevel", "Guide", "GuideError", "load_guide", "guide_names"]


class GuideError(Exception):
    """A companion guide that is missing or has a bad setting; names the file and key."""


NDC_RULES = ("never", "j_codes", "all_drugs")  # when a drug line must carry LIN*N4/CTP
DISTINCT_MODIFIERS = ("59", "XS", "XE", "XP", "XU")
FILING_INDICATORS = (
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM",
    "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ",
)  # SBR09 / CLM filing indicator codes of 005010X222A1
ISA_QUALIFIERS = ("01", "14", "20", "27", "28", "29", "30", "33", "ZZ")
# CPT: 5 digits, or 4 digits and F (Category II), T (Category III), U (PLA); HCPCS Level
# II: a letter and 4 digits (AMA CPT code structure; CMS HCPCS Level II)
PROCEDURE_CODE = re.compile(r"[0-9]{4}[0-9FTU]|[A-Z][0-9]{4}")
MAX_DAYS = 3650  # ten years: above any filing or appeal window in a guide
MAX_UNITS = 9999  # SV104 is R 1/15, but no MUE comes near this


@frozen
class Guide:
    name: str  # the file stem: "medicare", "commercial"
    payer_name: str  # 2010BB NM103
    payer_id: str  # 2010BB NM109 (PI)
    receiver_name: str  # 1000B NM103
    receiver_id: str  # ISA08, GS03, 1000B NM109
    receiver_qualifier: str  # ISA07
    claim_filing_indicator: str  # SBR09
    distinct_modifier: str  # 59 or XS/XE/XP/XU: the NCCI bypass modifier this payer wants
    abn_modifier: str | None  # GA for Medicare; None when the payer has no ABN concept
    cosmetic_modifier: str | None  # GY for Medicare (statutorily excluded), None otherwise
    laterality_required: bool  # LT/RT on lines with a documented laterality
    ndc_required: str  # one of NDC_RULES
    jw_jz_required: bool  # Medicare single-dose container discard modifiers
    max_lines_per_claim: int  # the IG allows 50 (loop 2400 repeat)
    max_diagnoses_per_claim: int  # HI allows 12
    appeal_window_days: int  # first-level appeal deadline from the remittance date
    timely_filing_days: int
    newlines: bool  # a newline after each segment terminator
    usage_indicator: str  # ISA15: P production, T test
    mue_overrides: dict[str, int]  # code -> max units per line/date this payer applies
    correction_route: str  # "replacement" (freq 7/8 + REF*F8) or "reopening" (routes.py)
    correction_source: str  # where the route is documented
    appeal_levels: tuple[AppealLevel, ...]  # first level first, each with window and source
    appeal_address: str | None  # where written appeals go (lines joined by newlines)
    source: str  # where each setting comes from (companion guide / manual and date)
    path: str  # the file this guide was read from
    ack_overdue_days: int = 5  # no 999/277CA after this many days: the claim is overdue
    remit_turnaround_days: int = 30  # accepted but no 835 after this many days: overdue
    turnaround_source: str = ""  # where the two settings above come from
    # Coordination of benefits (this payer as secondary / tertiary)
    crossover_from_medicare: bool = False  # a COBA trading partner: Medicare forwards claims
    coba_id: str | None = None  # Medigap claim-based crossover id (55000-59999), 2330B NM109
    crossover_wait_days: int = 30  # a crossed-over claim with no 835 after this is late
    secondary_denied_lines: str = "send"  # lines the primary denied: "send" (with CAS), "hold"
    secondary_source: str = ""  # where the four settings above come from

    @property
    def is_medicare(self) -> bool:
        return self.claim_filing_indicator == "MB"


_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "payer_name": str,
    "payer_id": str,
    "receiver_name": str,
    "receiver_id": str,
    "receiver_qualifier": str,
    "claim_filing_indicator": str,
    "distinct_modifier": str,
    "laterality_required": bool,
    "ndc_required": str,
    "jw_jz_required": bool,
    "appeal_window_days": int,
    "timely_filing_days": int,
    "source": str,
}
_OPTIONAL: dict[str, tuple[type | tuple[type, ...], Any]] = {
    "abn_modifier": (str, None),
    "cosmetic_modifier": (str, None),
    "max_lines_per_claim": (int, 50),
    "max_diagnoses_per_claim": (int, 12),
    "newlines": (bool, True),
    "usage_indicator": (str, "P"),
    "mue_overrides": (dict, {}),
    "correction_route": (str, "replacement"),
    "correction_source": (str, ""),
    "appeal_levels": (list, []),
    "appeal_address": (str, None),
    "ack_overdue_days": (int, 5),
    "remit_turnaround_days": (int, 30),
    "turnaround_source": (str, ""),
    "crossover_from_medicare": (bool, False),
    "coba_id": (str, None),
    "crossover_wait_days": (int, 30),
    "secondary_denied_lines": (str, "send"),
    "secondary_source": (str, ""),
}
DENIED_LINE_RULES = ("send", "hold")  # secondary_denied_lines


# the shipped guides, read beside this module (importlib.resources costs more to import
# than a one-encounter `dermclaim code` spends coding)
HERE = Path(__file__).resolve().parent


def guide_names() -> list[str]:
    """The names of the guides shipped with dermclaim (listed once per process: every
    encounter loaded asks)."""
    return list(_guide_names())


@cache
def _guide_names() -> tuple[str, ...]:
    return tuple(sorted(p.name[: -len(".toml")] for p in HERE.iterdir()
                        if p.name.endswith(".toml")))


def load_guide(name_or_path: str | Path) -> Guide:
    """Load a shipped guide by name, or a guide file by path. Raises GuideError."""
    text, where, stem = _read(name_or_path)
    try:
        data = toml_cache.loads(text)  # tomllib itself only for a text not parsed before
    except ValueError as exc:
        import tomllib  # already imported: the text was just parsed

        if not isinstance(exc, tomllib.TOMLDecodeError):
            raise
        raise GuideError(f"{where}: not valid TOML: {exc}") from None
    return _build(data, where, stem)


_CACHE: dict[str, Guide] = {}


def get_guide(name: str) -> Guide:
    """Cached `load_guide` for shipped guide names (hot paths code thousands of claims)."""
    if name not in _CACHE:
        _CACHE[name] = load_guide(name)
    return _CACHE[name]


def _read(name_or_path: str | Path) -> tuple[str, str, str]:
    s = str(name_or_path)
    if s.endswith(".toml") or "/" in s or isinstance(name_or_path, Path):
        path = Path(s)
        try:
            return _decode(path.read_bytes(), str(path)), str(path), path.stem
        except OSError as exc:
            raise GuideError(f"{path}: cannot read companion guide: {exc.strerror}") from None
    if not re.fullmatch(r"[a-z0-9_\-]+", s):
        raise GuideError(f"unknown payer {s!r}: known guides are {', '.join(guide_names())}")
    res = HERE / f"{s}.toml"
    if not res.is_file():
        raise GuideError(f"unknown payer {s!r}: known guides are {', '.join(guide_names())}")
    where = f"companion_guides/{s}.toml"
    return _decode(res.read_bytes(), where), where, s


def _decode(raw: bytes, where: str) -> str:
    """UTF-8 text (a byte-order mark tolerated); GuideError naming the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise GuideError(f"{where}: not UTF-8 text (byte {exc.start}, line {line}): save the "
                         "file as UTF-8") from None


def _build(data: dict[str, Any], where: str, stem: str) -> Guide:
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, typ in _REQUIRED.items():
        if key not in data:
            problems.append(f"{key}: missing")
        elif not isinstance(data[key], typ) or (typ is int and isinstance(data[key], bool)):
            problems.append(f"{key}: must be {_type_name(typ)}, got {data[key]!r}")
        else:
            values[key] = data[key]
    for key, (typ, default) in _OPTIONAL.items():
        value = data.get(key, default)
        if value is not None and (not isinstance(value, typ)
                                  or (typ is int and isinstance(value, bool))):
            problems.append(f"{key}: must be {_type_name(typ)}, got {value!r}")
            value = default  # the range checks below see only values of the right type
        values[key] = value
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    for key in unknown:
        problems.append(f"{key}: unknown setting")

    def check(key: str, ok: bool, why: str) -> None:
        if key in values and values[key] is not None and not ok:
            problems.append(f"{key}: {why}, got {values[key]!r}")

    check("distinct_modifier", values.get("distinct_modifier") in DISTINCT_MODIFIERS,
          f"must be one of {', '.join(DISTINCT_MODIFIERS)}")
    check("ndc_required", values.get("ndc_required") in NDC_RULES,
          f"must be one of {', '.join(NDC_RULES)}")
    check("claim_filing_indicator", values.get("claim_filing_indicator") in FILING_INDICATORS,
          "must be an SBR09 claim filing indicator code")
    check("receiver_qualifier", values.get("receiver_qualifier") in ISA_QUALIFIERS,
          f"must be one of {', '.join(ISA_QUALIFIERS)}")
    check("receiver_id", 2 <= len(str(values.get("receiver_id", ""))) <= 15,
          "must be 2 to 15 characters (ISA08)")
    check("payer_id", 2 <= len(str(values.get("payer_id", ""))) <= 80, "must be 2 to 80 characters")
    check("max_lines_per_claim", 1 <= int(values.get("max_lines_per_claim") or 0) <= 50,
          "must be 1 to 50 (the 837P allows 50 service lines a claim)")
    check("max_diagnoses_per_claim", 1 <= int(values.get("max_diagnoses_per_claim") or 0) <= 12,
          "must be 1 to 12 (HI holds 12 diagnoses)")
    check("usage_indicator", values.get("usage_indicator") in ("P", "T"), "must be P or T")
    for mod_key in ("abn_modifier", "cosmetic_modifier"):
        check(mod_key, re.fullmatch(r"[A-Z0-9]{2}", str(values.get(mod_key))) is not None,
              "must be a two-character modifier")
    for days_key in ("appeal_window_days", "timely_filing_days"):
        days = values.get(days_key)
        check(days_key, isinstance(days, int) and 1 <= days <= MAX_DAYS,
              f"must be a number of days from 1 to {MAX_DAYS}")
    mue = values.get("mue_overrides") or {}
    if isinstance(mue, dict):
        for code, units in mue.items():
            if not PROCEDURE_CODE.fullmatch(code):
                problems.append(f"mue_overrides.{code}: not a CPT or HCPCS Level II code "
                                "(5 characters: 5 digits, 4 digits and F/T/U, or a letter and "
                                "4 digits)")
            elif not isinstance(units, int) or isinstance(units, bool) \
                    or not 0 <= units <= MAX_UNITS:
                problems.append(f"mue_overrides.{code}: must be a whole number of units from 0 "
                                f"to {MAX_UNITS}")
    check_routes(values, problems)
    for days_key in ("ack_overdue_days", "remit_turnaround_days"):
        check(days_key, 1 <= int(values.get(days_key) or 0) <= 365, "must be 1 to 365 days")
    check("secondary_denied_lines", values.get("secondary_denied_lines") in DENIED_LINE_RULES,
          f"must be one of {', '.join(DENIED_LINE_RULES)}")
    check("crossover_wait_days", 1 <= int(values.get("crossover_wait_days") or 0) <= 365,
          "must be 1 to 365 days")
    check("coba_id", re.fullmatch(r"5[5-9][0-9]{3}", str(values.get("coba_id"))) is not None,
          "must be a five-digit COBA Medigap id from 55000 to 59999 (CMS MM5662)")
    if problems:
        raise GuideError(f"{where}: bad companion guide:\n  " + "\n  ".join(problems))
    return Guide(name=stem, path=where, **values)


def _type_name(typ: type | tuple[type, ...]) -> str:
    names = {str: "text", bool: "true or false", int: "a whole number", dict: "a table",
             list: "a list of tables"}
    if isinstance(typ, tuple):
        return " or ".join(names.get(t, t.__name__) for t in typ)
    return names.get(typ, typ.__name__)
