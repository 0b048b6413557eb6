"""The practice file (TOML): who submits, who bills, and what each code is charged.

`load_practice(path)` reads and checks it once, up front, so the 837P writer never meets
a bad NPI or a 5-digit billing ZIP half-way through a batch. Every error names the file
and the key (`billing_provider.npi`), never more of the file than that.

```toml
[submitter]                      # loop 1000A and the ISA/GS sender
name = "DERMCLAIM DEMO DERMATOLOGY"
id = "DEMODERM01"                # ISA06, GS02, 1000A NM109 (your clearinghouse submitter id)
id_qualifier = "ZZ"              # ISA05, optional
contact_name = "BILLING OFFICE"
phone = "5555550100"             # phone and/or email
email = "billing@example.com"

[billing_provider]               # loop 2000A/2010AA
name = "DEMO DERMATOLOGY PA"     # or last_name + first_name for a solo individual NPI
npi = "1234567893"
ein = "123456789"
taxonomy = "207N00000X"
address1 = "100 MAIN ST"
city = "SPRINGFIELD"
state = "IL"
zip = "627011234"                # 9 digits: 2010AA N403 requires ZIP+4

[pay_to]                         # optional: loop 2010AB, where payments go (a PO Box or
address1 = "PO BOX 1200"         # lock box belongs here: 2010AA must be a street address)
city = "SPRINGFIELD"
state = "IL"
zip = "62705"                    # 5 or 9 digits

[clearinghouse]                  # optional: ISA07/ISA08 when payers have different receivers
name = "EXAMPLE CLEARINGHOUSE"
id = "CLEARINGHOUSE"
id_qualifier = "ZZ"

[fees]                           # code -> charge for one unit
"99213" = "145.00"

[letters]                        # optional: appeal letters (`dermclaim appeal`)
template_html = "letterhead.html"  # your own letter templates (Jinja2), relative to this
template_text = "letter.txt"       # file; default: reconcile/templates/letter.*
signer_name = "MAREN LINDQVIST MD" # the signature block (default: the rendering provider)
signer_title = "Dermatologist"
phone = "2175550100"               # printed in the letter (default: the submitter phone)

[contracts]                      # optional: each payer's fee schedule (companion guide name
commercial = "contracts/commercial.csv"  # -> CSV relative to this file; `dermclaim underpayments`)

[medicare]                       # optional: how Medicare lines are priced
locality = "06102-99"            # <MAC>-<locality> of CMS's GPCI file, or "national" (default)
qualifying_apm = false           # true: the QP conversion factor (2026 on)

[underpayments]                  # optional
tolerance = "0.01"               # allowed short by more than this = underpaid (default 0.01)
```
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from attrs import field, frozen

from coding.validation import npi_is_valid
from edi.errors import EdiError
from edi.x12.numbers import r_number
from edi.x837p.party_checks import is_po_box

__all__ = [
    "BillingProvider",
    "Clearinghouse",
    "Letters",
    "PayTo",
    "Practice",
    "PracticeError",
    "Submitter",
    "load_practice",
    "npi_is_valid",
    "parse_practice",
]


class PracticeError(EdiError):
    """A practice file that cannot be read or has a bad setting; names the file and key."""


@frozen
class Submitter:
    name: str  # 1000A NM103
    id: str  # ISA06, GS02, 1000A NM109
    contact_name: str  # 1000A PER02
    phone: str | None  # PER TE, digits only
    email: str | None  # PER EM
    id_qualifier: str = "ZZ"  # ISA05


@frozen
class BillingProvider:
    name: str  # 2010AA NM103: organization name, or the last name of a person
    npi: str  # 2010AA NM109
    ein: str  # 2010AA REF*EI, 9 digits
    taxonomy: str  # 2000A PRV03
    address1: str
    city: str
    state: str
    zip: str  # 9 digits (ZIP+4), no hyphen
    address2: str | None = None
    first_name: str | None = None  # set when a person bills under an individual NPI (NM102 1)

    @property
    def entity_type(self) -> str:
        """NM102: 1 person, 2 organization."""
        return "1" if self.first_name else "2"


@frozen
class PayTo:
    """Loop 2010AB: the address payments go to when it is not the billing address."""

    address1: str
    city: str
    state: str
    zip: str  # 5 or 9 digits
    address2: str | None = None


@frozen
class Clearinghouse:
    """The trading partner a file is sent to (ISA07/ISA08). Each payer's own receiver
    still goes in GS03 and loop 1000B."""

    name: str
    id: str
    id_qualifier: str = "ZZ"


@frozen
class Letters:
    """The `[letters]` table: the practice's own letter templates (absolute paths, resolved
    against the practice file's folder) and its signature block."""

    template_html: str | None = None
    template_text: str | None = None
    signer_name: str | None = None
    signer_title: str | None = None
    phone: str | None = None  # digits only


@frozen
class Practice:
    submitter: Submitter
    billing_provider: BillingProvider
    fee_schedule: dict[str, Decimal]  # HCPCS/CPT code -> charge per unit
    path: str = ""
    clearinghouse: Clearinghouse | None = None
    pay_to: PayTo | None = None
    letters: Letters = Letters()
    # payer guide name -> contract CSV (absolute path) for `reconcile.underpayments`
    contracts: dict[str, str] = field(factory=dict)
    medicare_locality: str = "national"  # <MAC>-<locality> of CMS's GPCI file
    qualifying_apm: bool = False  # QP conversion factor
    underpayment_tolerance: Decimal = Decimal("0.01")

    def fee(self, code: str) -> Decimal | None:
        return self.fee_schedule.get(code)


# ------------------------------------------------------------------------------ checks


_X12_TEXT = re.compile(r"[A-Za-z0-9 .,&'/#()-]+")  # no X12 delimiters (* : ~ ^ >)
_CODE = re.compile(r"[A-Z0-9]{5}")
_TAXONOMY = re.compile(r"[0-9]{3}[A-Z0-9]{6}X")
_STATE = re.compile(r"[A-Z]{2}")


class _Checker:
    def __init__(self, where: str):
        self.where = where
        self.problems: list[str] = []

    def text(
        self, table: dict[str, Any], section: str, key: str, *, required: bool = True,
        max_len: int = 60, pattern: re.Pattern[str] | None = None, why: str = "",
    ) -> str | None:
        value = table.get(key)
        name = f"{section}.{key}"
        if value is None:
            if required:
                self.problems.append(f"{name}: missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f"{name}: must be non-empty text")
            return None
        value = value.strip()
        if len(value) > max_len:
            self.problems.append(f"{name}: at most {max_len} characters, got {len(value)}")
        elif pattern is not None and not pattern.fullmatch(value):
            self.problems.append(f"{name}: {why or 'bad format'}, got {value!r}")
        elif pattern is None and not _X12_TEXT.fullmatch(value):
            self.problems.append(
                f"{name}: only letters, digits, spaces and . , & ' / # ( ) - are allowed"
            )
        return value

    def digits(self, table: dict[str, Any], section: str, key: str, count: int,
               why: str) -> str | None:
        """A number written with or without dashes (EIN 12-3456789, ZIP 62703-1234) that
        must have exactly `count` digits; the digits, or None with a problem recorded."""
        raw = table.get(key)
        if raw is None:
            self.problems.append(f"{section}.{key}: missing")
            return None
        value = str(raw).replace("-", "")
        if not re.fullmatch(rf"\d{{{count}}}", value):
            self.problems.append(f"{section}.{key}: {why}, got {raw!r}")
            return None
        return value


def load_practice(path: str | Path) -> Practice:
    """Read and check a practice TOML file. Raises PracticeError naming the file and key."""
    where = str(path)
    try:
        raw = Path(path).read_bytes()
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows editors) is tolerated
    except OSError as exc:
        raise PracticeError(f"{where}: cannot read practice file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise PracticeError(f"{where}: practice file is not UTF-8 text (byte {exc.start}, "
                            f"line {line}): save it as UTF-8") from None
    return parse_practice(text, where)


def parse_practice(text: str, where: str = "<practice>") -> Practice:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise PracticeError(f"{where}: not valid TOML: {exc}") from None
    c = _Checker(where)
    for section in ("submitter", "billing_provider", "fees"):
        if not isinstance(data.get(section), dict):
            c.problems.append(f"[{section}]: missing table")
    for optional in ("clearinghouse", "pay_to", "letters", *_PAYMENT_TABLES):
        if optional in data and not isinstance(data[optional], dict):
            c.problems.append(f"[{optional}]: must be a table")
    for key in sorted(set(data) - {"submitter", "billing_provider", "fees", "clearinghouse",
                                   "pay_to", "letters", *_PAYMENT_TABLES}):
        c.problems.append(f"{key}: unknown setting")
    if c.problems:
        _raise(c)

    s = data["submitter"]
    _unknown(c, s, "submitter", {"name", "id", "id_qualifier", "contact_name", "phone", "email"})
    sub_name = c.text(s, "submitter", "name")
    sub_id = c.text(s, "submitter", "id", max_len=15, pattern=re.compile(r"[A-Za-z0-9]{2,15}"),
                    why="2 to 15 letters or digits (ISA06)")
    qual = c.text(s, "submitter", "id_qualifier", required=False, max_len=2,
                  pattern=re.compile(r"01|14|20|27|28|29|30|33|ZZ"),
                  why="an ISA05 qualifier (ZZ, 01, 14, 20, 27, 28, 29, 30, 33)")
    contact = c.text(s, "submitter", "contact_name")
    phone_raw = s.get("phone")
    phone: str | None = None
    if phone_raw is not None:
        digits = re.sub(r"[\s().-]", "", str(phone_raw))
        if not re.fullmatch(r"\d{10}", digits):
            c.problems.append(f"submitter.phone: must be 10 digits, got {phone_raw!r}")
        phone = digits
    email = c.text(s, "submitter", "email", required=False, max_len=80,
                   pattern=re.compile(r"[^@\s*:~^>]+@[^@\s*:~^>]+\.[A-Za-z]{2,}"),
                   why="must be an e-mail address")
    if phone_raw is None and email is None:
        c.problems.append("submitter: give a phone or an email for the 1000A contact (PER)")

    b = data["billing_provider"]
    _unknown(c, b, "billing_provider", {"name", "npi", "ein", "taxonomy", "address1", "address2",
                                        "city", "state", "zip", "last_name", "first_name"})
    first_name: str | None = None
    if "name" in b or not ("last_name" in b or "first_name" in b):
        bp_name = c.text(b, "billing_provider", "name")
        if "last_name" in b or "first_name" in b:
            c.problems.append("billing_provider: give name (an organization) or last_name and "
                              "first_name (a person billing under an individual NPI), not both")
    else:  # a solo provider billing under an individual NPI
        bp_name = c.text(b, "billing_provider", "last_name")
        first_name = c.text(b, "billing_provider", "first_name", max_len=35)
    npi = c.text(b, "billing_provider", "npi", max_len=10, pattern=re.compile(r"\d{10}"),
                 why="must be 10 digits")
    if npi and re.fullmatch(r"\d{10}", npi) and not npi_is_valid(npi):
        c.problems.append(f"billing_provider.npi: check digit is wrong for {npi!r} "
                          "(Luhn over 80840 + the first nine digits)")
    ein = c.digits(b, "billing_provider", "ein", 9, "must be 9 digits")
    taxonomy = c.text(b, "billing_provider", "taxonomy", max_len=10, pattern=_TAXONOMY,
                      why="must be a 10-character provider taxonomy code like 207N00000X")
    addr1 = c.text(b, "billing_provider", "address1", max_len=55)
    addr2 = c.text(b, "billing_provider", "address2", required=False, max_len=55)
    city = c.text(b, "billing_provider", "city", max_len=30)
    state = c.text(b, "billing_provider", "state", max_len=2, pattern=_STATE,
                   why="must be a two-letter state code")
    zip_code = c.digits(b, "billing_provider", "zip", 9, "must be 9 digits (ZIP+4; the 837P "
                        "requires it for the billing provider)")
    for key, line in (("address1", addr1), ("address2", addr2)):
        if is_po_box(line):
            c.problems.append(
                f"billing_provider.{key}: a PO Box or lock box cannot be the billing provider "
                "address (2010AA N3 must be a street address, 005010X222A1): give the street "
                "address here and the PO Box under [pay_to] (loop 2010AB)")
    pay_to = _pay_to(c, data["pay_to"]) if "pay_to" in data else None
    letters = _letters(c, data["letters"]) if "letters" in data else Letters()
    contracts = _contracts(c, data.get("contracts", {}))
    locality, qp, tolerance = _payment_settings(c, data.get("medicare", {}),
                                                data.get("underpayments", {}))

    clearinghouse: Clearinghouse | None = None
    if "clearinghouse" in data:
        ch = data["clearinghouse"]
        _unknown(c, ch, "clearinghouse", {"name", "id", "id_qualifier"})
        ch_name = c.text(ch, "clearinghouse", "name")
        ch_id = c.text(ch, "clearinghouse", "id", max_len=15,
                       pattern=re.compile(r"[A-Za-z0-9]{2,15}"),
                       why="2 to 15 letters or digits (ISA08)")
        ch_qual = c.text(ch, "clearinghouse", "id_qualifier", required=False, max_len=2,
                         pattern=re.compile(r"01|14|20|27|28|29|30|33|ZZ"),
                         why="an ISA07 qualifier (ZZ, 01, 14, 20, 27, 28, 29, 30, 33)")
        if ch_name and ch_id:
            clearinghouse = Clearinghouse(name=ch_name, id=ch_id, id_qualifier=ch_qual or "ZZ")

    fees: dict[str, Decimal] = {}
    for code, value in data["fees"].items():
        amount = _money(value)
        if not _CODE.fullmatch(code):
            c.problems.append(f"fees.{code}: not a 5-character CPT/HCPCS code")
        elif amount is None:
            c.problems.append(f"fees.{code}: must be an amount > 0 and at most {MAX_FEE} with "
                              f"at most 2 decimals, got {value!r}")
        else:
            fees[code] = amount
    if c.problems:
        _raise(c)
    assert sub_name and sub_id and contact and bp_name and npi and ein and taxonomy
    assert addr1 and city and state and zip_code
    return Practice(
        submitter=Submitter(name=sub_name, id=sub_id, contact_name=contact, phone=phone,
                            email=email, id_qualifier=qual or "ZZ"),
        billing_provider=BillingProvider(name=bp_name, npi=npi, ein=ein, taxonomy=taxonomy,
                                         address1=addr1, address2=addr2, city=city,
                                         state=state, zip=zip_code, first_name=first_name),
        fee_schedule=dict(sorted(fees.items())),
        path=where,
        clearinghouse=clearinghouse,
        pay_to=pay_to,
        letters=letters,
        contracts=contracts,
        medicare_locality=locality,
        qualifying_apm=qp,
        underpayment_tolerance=tolerance,
    )


_PAYMENT_TABLES = ("contracts", "medicare", "underpayments")
_LOCALITY = re.compile(r"national|[0-9]{5}-[0-9]{2}")


def _contracts(c: _Checker, t: dict[str, Any]) -> dict[str, str]:
    """`[contracts]`: companion guide name -> contract CSV (relative to the practice file).
    The CSV is read and checked (its presence too) by `reconcile.underpayments.contracts`
    when underpayments are priced: a practice file copied without its contracts still
    writes claims and letters."""
    from companion_guides import guide_names

    known = set(guide_names())
    folder = Path(c.where).parent
    out: dict[str, str] = {}
    for guide, value in t.items():
        if guide not in known:
            c.problems.append(f"contracts.{guide}: no companion guide of that name "
                              f"(known: {', '.join(sorted(known))})")
            continue
        if not isinstance(value, str) or not value.strip():
            c.problems.append(f"contracts.{guide}: must be the path of a contract CSV")
            continue
        path = Path(value.strip()).expanduser()
        out[guide] = str(path if path.is_absolute() else folder / path)
    return out


def _payment_settings(c: _Checker, medicare: dict[str, Any], under: dict[str, Any]
                      ) -> tuple[str, bool, Decimal]:
    _unknown(c, medicare, "medicare", {"locality", "qualifying_apm"})
    _unknown(c, under, "underpayments", {"tolerance"})
    locality = medicare.get("locality", "national")
    if not isinstance(locality, str) or not _LOCALITY.fullmatch(locality.strip()):
        c.problems.append(f"medicare.locality: \"national\" or <MAC>-<locality number> of "
                          f"CMS's GPCI file (\"06102-99\"), got {locality!r}")
        locality = "national"
    qp = medicare.get("qualifying_apm", False)
    if not isinstance(qp, bool):
        c.problems.append(f"medicare.qualifying_apm: true or false, got {qp!r}")
        qp = False
    raw = under.get("tolerance", "0.01")
    tolerance = r_number(str(raw).strip()) if isinstance(raw, str | int | Decimal) else None
    if tolerance is None or tolerance < 0 or tolerance > 1000:
        c.problems.append(f"underpayments.tolerance: an amount from 0 to 1000, got {raw!r}")
        tolerance = Decimal("0.01")
    return locality.strip(), qp, tolerance


def _pay_to(c: _Checker, t: dict[str, Any]) -> PayTo | None:
    _unknown(c, t, "pay_to", {"address1", "address2", "city", "state", "zip"})
    addr1 = c.text(t, "pay_to", "address1", max_len=55)
    addr2 = c.text(t, "pay_to", "address2", required=False, max_len=55)
    city = c.text(t, "pay_to", "city", max_len=30)
    state = c.text(t, "pay_to", "state", max_len=2, pattern=_STATE,
                   why="must be a two-letter state code")
    raw = str(t.get("zip", "")).replace("-", "")
    zip_code: str | None = raw
    if not re.fullmatch(r"\d{5}|\d{9}", raw):
        c.problems.append(f"pay_to.zip: must be 5 or 9 digits, got {t.get('zip')!r}")
        zip_code = None
    if not (addr1 and city and state and zip_code):
        return None
    return PayTo(address1=addr1, address2=addr2, city=city, state=state, zip=zip_code)


_LETTER_TEXT = re.compile(r"[^\x00-\x1f\x7f]+")  # any printable text (a letter is not X12)


def _letters(c: _Checker, t: dict[str, Any]) -> Letters:
    """`[letters]`: template paths relative to the practice file (each must be a file) and
    the signature block; every problem names the file and the key."""
    _unknown(c, t, "letters", {"template_html", "template_text", "signer_name", "signer_title",
                               "phone"})
    folder = Path(c.where).parent
    paths: dict[str, str | None] = {}
    for key, suffixes in (("template_html", (".html", ".htm")), ("template_text", None)):
        value = c.text(t, "letters", key, required=False, max_len=500, pattern=_LETTER_TEXT,
                       why="must be a file path")
        paths[key] = None
        if value is None:
            continue
        path = Path(value).expanduser()
        path = path if path.is_absolute() else folder / path
        if suffixes and path.suffix.lower() not in suffixes:
            c.problems.append(f"letters.{key}: must end in .html (it is autoescaped as HTML), "
                              f"got {value!r}")
        elif not path.is_file():
            c.problems.append(f"letters.{key}: no file at {path}")
        else:
            paths[key] = str(path)
    names = {key: c.text(t, "letters", key, required=False, max_len=80, pattern=_LETTER_TEXT,
                         why="must be one line of text")
             for key in ("signer_name", "signer_title")}
    phone: str | None = None
    if "phone" in t:
        digits = re.sub(r"[\s().+-]", "", str(t["phone"]))
        if not isinstance(t["phone"], str) or not re.fullmatch(r"\d{10}", digits):
            c.problems.append(f"letters.phone: must be 10 digits as text, got {t['phone']!r}")
        else:
            phone = digits
    return Letters(template_html=paths["template_html"], template_text=paths["template_text"],
                   signer_name=names["signer_name"], signer_title=names["signer_title"],
                   phone=phone)


MAX_FEE = Decimal("99999.99")  # per unit; keeps a 50-line claim far inside SV102/CLM02


def _money(value: object) -> Decimal | None:
    """A fee: digits with at most 2 decimals ('145.00', 145, '$145'), 0 < fee <= MAX_FEE.
    Text goes through the X12 R rule, so '1e30', 'NaN' and '1_000' are refused."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return None
    if isinstance(value, Decimal):
        amount: Decimal | None = value if value.is_finite() else None
    else:
        amount = r_number(str(value).strip().removeprefix("$"))
    if amount is None or amount <= 0 or amount > MAX_FEE:
        return None
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return amount.quantize(Decimal("0.01"))


def _unknown(c: _Checker, table: dict[str, Any], section: str, known: set[str]) -> None:
    for key in sorted(set(table) - known):
        c.problems.append(f"{section}.{key}: unknown setting")


def _raise(c: _Checker) -> None:
    raise PracticeError(f"{c.where}: bad practice file:\n  " + "\n  ".join(c.problems))
