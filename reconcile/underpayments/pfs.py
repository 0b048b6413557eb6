"""The Medicare Physician Fee Schedule tables: relative values, GPCIs, conversion factors.

Shipped (`data/`): the PPRRVU rows of the codes dermclaim bills (`pfs_rvu.csv`, RVU26C), the
national GPCI row (`gpci.csv`), the conversion factor of each year (`conversion_factors.csv`)
and the facility places of service (`facility_pos.csv`), each with its source.

CMS's own files replace the shipped tables when named (several joined with the OS path
separator, as the NCCI loaders read `DERMCLAIM_NCCI_PTP`):

- `DERMCLAIM_PFS_RVU`: `PPRRVU<year>_<Mon>_nonQPP.csv` (or _QPP) from a "PFS Relative Value
  Files" zip (RVU26A-D). Title lines first ("2026 National Physician Fee Schedule Relative
  Value File ..."), then column titles wrapped over several lines ending with a line that
  starts `HCPCS,MOD,DESCRIPTION`; columns are found by their joined titles (WORK RVU,
  NON-FAC PE RVU, FACILITY PE RVU, MP RVU, GLOB DAYS, MULT PROC, BILAT SURG ...), so a
  release that moves a column still reads. The year comes from the title line.
- `DERMCLAIM_PFS_GPCI`: the GPCI CSV of the same zip (Addendum E): a title line, then a header
  row with `Medicare Administrative Contractor`, `State`, `Locality Number`, `Locality Name`,
  `<year> PW GPCI (with 1.0 Floor)`, `<year> PE GPCI`, `<year> MP GPCI`. A locality is named
  `<MAC>-<locality number>` ("06102-99"); `national` is always known (all indices 1.000).

The amount of one service: [(work RVU x PW GPCI) + (PE RVU x PE GPCI) + (MP RVU x MP GPCI)]
x conversion factor, with the facility PE RVU for a facility place of service; computed
exactly and rounded to the cent, half up (CMS publishes fee schedule amounts in cents).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path

from attrs import frozen

from reconcile.errors import StoreError

__all__ = ["RVU_ENV_VAR", "GPCI_ENV_VAR", "NATIONAL", "PfsFileError", "RvuRow", "Gpci",
           "PfsTables", "Component", "load_pfs", "read_cms_rvu", "read_cms_gpci", "fee"]

RVU_ENV_VAR = "DERMCLAIM_PFS_RVU"
GPCI_ENV_VAR = "DERMCLAIM_PFS_GPCI"
NATIONAL = "national"
CENT = Decimal("0.01")
MAX_REPORTED = 20
_CODE = re.compile(r"[0-9A-Z]{5}")


class PfsFileError(StoreError):
    """A fee schedule file that cannot be read; names the file and the line."""


@frozen
class RvuRow:
    hcpcs: str
    modifier: str  # "" = the global service; 26 / TC rows are separate in CMS's file
    status: str
    work: Decimal
    pe_nonfacility: Decimal
    pe_facility: Decimal
    mp: Decimal
    global_days: str  # 000 / 010 / 090 / XXX / YYY / ZZZ
    pre_op: Decimal  # shares of the global package (modifiers 56 / 54 / 55)
    intra_op: Decimal
    post_op: Decimal
    mult_proc: str  # 0 none, 2 standard 100/50, 9 not applicable ...
    bilat_surg: str  # 1 = 150 % with modifier 50
    year: int
    source: str

    @property
    def is_add_on(self) -> bool:
        return self.global_days == "ZZZ"


@frozen
class Gpci:
    locality: str  # "<MAC>-<locality number>" or "national"
    name: str
    pw: Decimal
    pe: Decimal
    mp: Decimal
    year: int
    source: str


@frozen
class Component:
    """One priced service with the figures that made it (for the basis and the letter)."""

    row: RvuRow
    gpci: Gpci
    conversion_factor: Decimal
    facility: bool
    amount: Decimal  # rounded to the cent

    def formula(self) -> str:
        pe = self.row.pe_facility if self.facility else self.row.pe_nonfacility
        g = self.gpci
        return (f"({self.row.work} x {g.pw} + {pe} x {g.pe} + {self.row.mp} x {g.mp}) x "
                f"{self.conversion_factor} = {self.amount}")


class PfsTables:
    """Relative values by (code, modifier, year), GPCIs by (locality, year), factors by year."""

    def __init__(self, rvus: Iterable[RvuRow], gpcis: Iterable[Gpci],
                 factors: dict[int, tuple[Decimal, Decimal, str]], facility_pos: frozenset[str],
                 origin: str):
        self.rvus: dict[tuple[str, str, int], RvuRow] = {(r.hcpcs, r.modifier, r.year): r
                                                          for r in rvus}
        self.gpcis: dict[tuple[str, int], Gpci] = {(g.locality, g.year): g for g in gpcis}
        self.factors = factors
        self.facility_pos = facility_pos
        self.origin = origin

    def rvu(self, code: str, modifiers: Sequence[str], day: date) -> RvuRow | None:
        """The row for the date's year: a 26/TC row when the line carries that modifier."""
        for m in ("26", "TC"):
            if m in modifiers and (code, m, day.year) in self.rvus:
                return self.rvus[(code, m, day.year)]
        return self.rvus.get((code, "", day.year))

    def gpci(self, locality: str, year: int) -> Gpci | None:
        if locality == NATIONAL:
            return self.gpcis.get((NATIONAL, year)) or Gpci(
                NATIONAL, "NATIONAL", Decimal(1), Decimal(1), Decimal(1), year,
                "national payment amount (all GPCIs 1.000)")
        return self.gpcis.get((locality, year))

    def localities(self, year: int) -> list[str]:
        return sorted(loc for loc, y in self.gpcis if y == year)

    def factor(self, year: int, qp: bool = False) -> Decimal | None:
        f = self.factors.get(year)
        return None if f is None else (f[1] if qp else f[0])

    def is_facility(self, pos: str | None) -> bool:
        return pos in self.facility_pos


def fee(row: RvuRow, gpci: Gpci, factor: Decimal, facility: bool) -> Component:
    pe = row.pe_facility if facility else row.pe_nonfacility
    total = row.work * gpci.pw + pe * gpci.pe + row.mp * gpci.mp
    amount = (total * factor).quantize(CENT, rounding=ROUND_HALF_UP)
    return Component(row, gpci, factor, facility, amount)


# ------------------------------------------------------------------------- shipped tables


def _data_rows(name: str) -> Iterator[tuple[int, dict[str, str]]]:
    text = resources.files("reconcile.underpayments").joinpath("data", name).read_text("utf-8")
    lines = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if not ln.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(ln for _, ln in lines)))
    for (number, _), row in zip(lines[1:], reader, strict=False):
        yield number, row


def _dec(value: str, where: str) -> Decimal:
    try:
        d = Decimal(value.strip() or "0")
    except InvalidOperation:
        raise PfsFileError(f"{where}: {value!r} is not a number") from None
    if not d.is_finite():
        raise PfsFileError(f"{where}: {value!r} is not a number")
    return d


@cache
def _shipped_rvus() -> tuple[RvuRow, ...]:
    out = []
    for n, r in _data_rows("pfs_rvu.csv"):
        w = f"reconcile/underpayments/data/pfs_rvu.csv:{n}"
        out.append(RvuRow(r["hcpcs"], r["modifier"], r["status"], _dec(r["work_rvu"], w),
                          _dec(r["nonfac_pe_rvu"], w), _dec(r["fac_pe_rvu"], w),
                          _dec(r["mp_rvu"], w), r["glob_days"], _dec(r["pre_op"], w),
                          _dec(r["intra_op"], w), _dec(r["post_op"], w), r["mult_proc"],
                          r["bilat_surg"], int(r["year"]), f"{r['source']} (shipped)"))
    return tuple(out)


@cache
def _shipped_gpcis() -> tuple[Gpci, ...]:
    out = []
    for n, r in _data_rows("gpci.csv"):
        w = f"reconcile/underpayments/data/gpci.csv:{n}"
        loc = r["locality"] if r["locality"] == NATIONAL else f"{r['mac']}-{r['locality']}"
        out.append(Gpci(loc, r["name"], _dec(r["pw_gpci"], w), _dec(r["pe_gpci"], w),
                        _dec(r["mp_gpci"], w), int(r["year"]), r["source"]))
    return tuple(out)


@cache
def _factors() -> dict[int, tuple[Decimal, Decimal, str]]:
    return {int(r["year"]): (Decimal(r["nonqp"]), Decimal(r["qp"]), r["source"])
            for _, r in _data_rows("conversion_factors.csv")}


@cache
def _facility_pos() -> frozenset[str]:
    return frozenset(r["pos"] for _, r in _data_rows("facility_pos.csv"))


# ------------------------------------------------------------------------- CMS's files


def _lines(path: Path, what: str) -> list[list[str]]:
    try:
        text = path.read_text(encoding="latin-1")
    except OSError as exc:
        raise PfsFileError(f"{path}: cannot read the {what}: {exc.strerror}") from None
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def _column(titles: list[str], *words: str, path: Path, what: str) -> int:
    for i, t in enumerate(titles):
        if all(w in t for w in words):
            return i
    raise PfsFileError(f"{path}: not a CMS {what}: no column titled {' '.join(words)!r}")


def read_cms_rvu(path: str | Path) -> list[RvuRow]:
    """Rows of one CMS PPRRVU CSV (every code, or only those with a valid HCPCS cell)."""
    path = Path(path)
    rows = _lines(path, "PFS relative value file")
    head = next((i for i, r in enumerate(rows) if r and r[0].upper() == "HCPCS"), None)
    if head is None:
        raise PfsFileError(f"{path}: not a CMS PPRRVU file: no line starting with HCPCS,MOD")
    year_match = next((m for r in rows[:head] for c in r
                       if (m := re.search(r"\b(20\d\d)\b.*Relative Value File", c))), None)
    if year_match is None:
        year_match = re.search(r"PPRRVU(20\d\d|\d\d)", path.name, re.I)
    if year_match is None:
        raise PfsFileError(f"{path}: no year in the title lines or the file name (PPRRVU2026...)")
    year = int(year_match.group(1))
    year = year + 2000 if year < 100 else year
    width = max(len(r) for r in rows[:head + 1])
    start = max(0, head - 6)
    titles = [" ".join(r[i] for r in rows[start:head + 1] if i < len(r) and r[i]).upper()
              for i in range(width)]
    what = "PPRRVU file"
    col = {name: _column(titles, *words, path=path, what=what) for name, words in {
        "mod": ("MOD",), "status": ("STATUS",), "work": ("WORK", "RVU"),
        "nf_pe": ("NON-FAC", "PE RVU"), "f_pe": ("FACILITY", "PE RVU"), "mp": ("MP", "RVU"),
        "glob": ("GLOB",), "pre": ("PRE", "OP"), "intra": ("INTRA",), "post": ("POST", "OP"),
        "mult": ("MULT",), "bilat": ("BILAT",)}.items()}
    out: list[RvuRow] = []
    problems: list[str] = []
    for n, r in enumerate(rows[head + 1:], start=head + 2):
        if not r or not _CODE.fullmatch(r[0]):
            continue
        where = f"{path}:{n}"
        try:
            out.append(RvuRow(
                r[0], r[col["mod"]], r[col["status"]], _dec(r[col["work"]], where),
                _dec(r[col["nf_pe"]], where), _dec(r[col["f_pe"]], where),
                _dec(r[col["mp"]], where), r[col["glob"]], _dec(r[col["pre"]], where),
                _dec(r[col["intra"]], where), _dec(r[col["post"]], where), r[col["mult"]],
                r[col["bilat"]], year, f"{path.name}:{n}"))
        except (PfsFileError, IndexError) as exc:
            problems.append(str(exc) if isinstance(exc, PfsFileError)
                            else f"{where}: row has too few columns")
            if len(problems) >= MAX_REPORTED:
                break
    if problems:
        raise PfsFileError("bad rows in the PPRRVU file:\n  " + "\n  ".join(problems))
    if not out:
        raise PfsFileError(f"{path}: no relative value rows found")
    return out


def read_cms_gpci(path: str | Path) -> list[Gpci]:
    """Localities of one CMS GPCI CSV (Addendum E layout)."""
    path = Path(path)
    rows = _lines(path, "GPCI file")
    head = next((i for i, r in enumerate(rows)
                 if any("LOCALITY NUMBER" in c.upper() for c in r)), None)
    if head is None:
        raise PfsFileError(f"{path}: not a CMS GPCI file: no header with 'Locality Number'")
    titles = [c.upper() for c in rows[head]]
    what = "GPCI file"
    mac = _column(titles, "CONTRACTOR", path=path, what=what)
    loc = _column(titles, "LOCALITY NUMBER", path=path, what=what)
    name = _column(titles, "LOCALITY NAME", path=path, what=what)
    pw = _column(titles, "PW GPCI", path=path, what=what)
    pe = _column(titles, "PE GPCI", path=path, what=what)
    mp = _column(titles, "MP GPCI", path=path, what=what)
    ym = re.search(r"(20\d\d)", titles[pw]) or next(
        (m for r in rows[:head] for c in r if (m := re.search(r"\b(20\d\d)\b", c))), None)
    if ym is None:
        raise PfsFileError(f"{path}: no year in the GPCI column titles (2026 PW GPCI ...)")
    year = int(ym.group(1))
    out: list[Gpci] = []
    problems: list[str] = []
    for n, r in enumerate(rows[head + 1:], start=head + 2):
        if len(r) <= max(mac, loc, pw, pe, mp) or not r[mac].strip().isdigit():
            continue  # notes, blank or total lines
        where = f"{path}:{n}"
        try:
            out.append(Gpci(f"{r[mac]}-{r[loc].zfill(2)}", r[name], _dec(r[pw], where),
                            _dec(r[pe], where), _dec(r[mp], where), year, f"{path.name}:{n}"))
        except PfsFileError as exc:
            problems.append(str(exc))
    if problems:
        raise PfsFileError("bad rows in the GPCI file:\n  " + "\n  ".join(problems[:MAX_REPORTED]))
    if not out:
        raise PfsFileError(f"{path}: no locality rows found")
    return out


def _env_paths(var: str) -> tuple[str, ...]:
    env = os.environ.get(var, "").strip()
    return tuple(p for p in env.split(os.pathsep) if p) if env else ()


@cache
def _tables(rvu_paths: tuple[str, ...], gpci_paths: tuple[str, ...]) -> PfsTables:
    rvus: list[RvuRow] = list(_shipped_rvus())
    for p in rvu_paths:  # CMS's rows win over the shipped ones (later files win)
        rvus += read_cms_rvu(p)
    gpcis: list[Gpci] = list(_shipped_gpcis())
    for p in gpci_paths:
        gpcis += read_cms_gpci(p)
    origin = ", ".join(rvu_paths + gpci_paths) or "shipped tables (RVU26C, national GPCI)"
    return PfsTables(rvus, gpcis, _factors(), _facility_pos(), origin)


def load_pfs(rvu_paths: Sequence[str | Path] | None = None,
             gpci_paths: Sequence[str | Path] | None = None) -> PfsTables:
    """The tables to price with: the files given, else `$DERMCLAIM_PFS_RVU` /
    `$DERMCLAIM_PFS_GPCI`, on top of the shipped rows."""
    rv = tuple(str(p) for p in rvu_paths) if rvu_paths is not None else _env_paths(RVU_ENV_VAR)
    gp = (tuple(str(p) for p in gpci_paths) if gpci_paths is not None
          else _env_paths(GPCI_ENV_VAR))
    return _tables(rv, gp)
