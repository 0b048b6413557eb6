"""Fuzzing the readers and loaders with mutated real inputs (hypothesis).

Seeds: the samples, the project's own fixtures and builders, and ../shared/x12-corpus when
present. Mutations: truncation, deleted / duplicated / swapped segments, swapped
delimiters, garbage and non-UTF-8 bytes, huge numbers and elements, deep JSON. For every
reader the only outcomes are a result or the project's own typed error with a position;
no message (error or finding) carries a name, birth date or id of the seed file.

CI runs a few examples per target (seconds); DERMCLAIM_FUZZ_EXAMPLES=10000 for long runs.
DERMCLAIM_FUZZ_REPORT=<file> appends one JSON line per example (target, outcome, seconds).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding.encounter import load_encounters
from coding.errors import EncounterError
from companion_guides import GuideError, load_guide
from edi.errors import EdiError, X12SyntaxError
from edi.practice import PracticeError, load_practice

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("DERMCLAIM_FUZZ_EXAMPLES", "25"))
REPORT = os.environ.get("DERMCLAIM_FUZZ_REPORT")
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get(
    "DERMCLAIM_FUZZ_RANDOM"), suppress_health_check=list(HealthCheck))


# ------------------------------------------------------------------------------ seeds

def _built_835() -> bytes:
    from datetime import date

    from edi.x835 import build as b
    from edi.x835.writer import write_835

    line = b.service_line("11102", 150, 100, control_number="C1-1",
                          service_date=date(2026, 1, 5), allowed=100,
                          adjustments=[b.adjustment("CO", "45", 50)], remarks=["N19"])
    claims = [b.claim_payment("C1", 150, 100, lines=[line], patient=("ZAMBRANO", "LUCILLE"),
                              member_id="7QK4TW9RD22")]
    plb = b.plb("1234567893", date(2026, 12, 31), ("WO", "X1", "5.00"))
    return write_835([b.remittance(claims, provider_adjustments=[plb])]).encode()


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def _x12_seeds(kinds: tuple[str, ...], extra: list[bytes]) -> list[bytes]:
    seeds = list(extra)
    for kind in kinds:
        seeds += [p.read_bytes() for p in _files(CORPUS / kind, "*")
                  if p.name != "SOURCES.md"]
    return seeds


SEEDS_835 = _x12_seeds(("835",), [p.read_bytes() for p in _files(SAMPLES, "*.835")]
                       + [_built_835()])
SEEDS_ACK = _x12_seeds(("ack",), [])
SEEDS_ENCOUNTER = [p.read_bytes() for p in _files(SAMPLES / "encounters", "*.json")
                   + _files(ROOT / "tests" / "fixtures" / "encounters", "*.json")]
SEEDS_PRACTICE = [p.read_bytes() for p in _files(SAMPLES, "*.toml")]
SEEDS_GUIDE = [p.read_bytes() for p in _files(ROOT / "companion_guides", "*.toml")]


# ------------------------------------------------------------------ what must not leak

def _delimiters(seed: bytes) -> tuple[bytes, bytes] | None:
    """(element separator, segment terminator) of a seed, found as a real file needs it:
    after a UTF-8 BOM or blanks, and by counting ISA separators, not at fixed offsets (an
    unpadded ISA, as Nevada Medicaid sends it). None when the seed has no whole ISA."""
    body = seed.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not body.startswith(b"ISA") or len(body) < 4:
        return None
    sep, index = body[3:4], 3
    for _ in range(16):
        index = body.find(sep, index)
        if index < 0:
            return None
        index += 1
    term = body[index + 1:index + 2]  # the character after ISA16
    return (sep, term) if term else None


def _secrets_x12(seed: bytes) -> set[str]:
    """Patient names and member ids of NM1*QC/IL segments, birth dates of DMG (any
    delimiters, BOM or unpadded ISA)."""
    out: set[str] = set()
    found = _delimiters(seed)
    if found is None:
        return out
    sep, term = (d.decode("latin-1") for d in found)
    text = seed.decode("utf-8", "replace")
    for raw in text.split(term):
        elements = raw.strip().split(sep)
        if elements[0] == "NM1" and len(elements) > 3 and elements[1] in ("QC", "IL"):
            out.update(e for e in (elements[3:5] + elements[9:10])
                       if len(e) >= 4 and not _masked(e))
        if elements[0] == "DMG" and len(elements) > 2 and len(elements[2]) == 8:
            out.add(elements[2])
    return out


def _masked(value: str) -> bool:
    """A de-identified placeholder (XXXXXXX, 99999999999, XXXXX-XXXX): the Inteligenz files
    mask every name and id so, and a claim id such as XXXXXX9999 quoted in a finding is not
    a patient's name."""
    return set(re.sub(r"[^0-9A-Za-z]", "", value).upper()) <= {"X", "9"}


def _secrets_encounter(seed: bytes) -> set[str]:
    out: set[str] = set()
    try:
        data = json.loads(seed)
    except ValueError:
        return out
    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key in ("last_name", "first_name", "member_id", "birth_date", "line1"):
                if isinstance(value.get(key), str) and len(value[key]) >= 4:
                    out.add(value[key])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    for birth in [s for s in out if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s)]:
        out.add(birth.replace("-", ""))
    return out


def _vocabulary() -> frozenset[str]:
    """Every word of the project's own source: a placeholder patient called FIRST LAST or
    TEST PATIENT (public sample files) must not count as a leak when a message says "the
    first segment"; a real name (OKAFOR, ZAMBRANO) is in no source file."""
    words: set[str] = set()
    for package in ("edi", "coding", "reconcile", "companion_guides", "dermclaim"):
        for path in (ROOT / package).rglob("*.py"):
            words.update(w.upper() for w in re.findall(r"[A-Za-z]{3,}", path.read_text()))
    return frozenset(words)


VOCABULARY = _vocabulary()


def _leaks(message: str, secrets: set[str]) -> list[str]:
    upper = message.upper()
    return [s for s in secrets if s.upper() not in VOCABULARY and s.upper() in upper]


# ------------------------------------------------------------------------- mutations

GARBAGE = st.sampled_from([b"\xff\xfe", b"\x00", b"\xc3", b"\xe2\x82", b"~~~", b"***",
                           b"\x1a", b"\r\n", b"\xef\xbb\xbf", b"ISA", b"IEA*1*", b"SE*",
                           "\u0661\u0662".encode(), "Müller".encode()])
NUMBERS = st.sampled_from(["NaN", "sNaN", "-Infinity", "1E+999999999", "1e5", "1_000.00",
                           "\u0661\u0662\u0663.00", "9" * 19, "9" * 400, "-0", ".", "-",
                           "12345678901234567.89", "+5", " 7 "])


@st.composite
def x12_mutant(draw: st.DrawFn, seeds: list[bytes]) -> tuple[bytes, bytes]:
    seed = draw(st.sampled_from(seeds))
    text = seed
    sep, term = _delimiters(seed) or (b"*", b"~")
    parts = text.split(term)
    how = draw(st.sampled_from(["truncate", "delete", "duplicate", "swap", "delimiters",
                                "garbage", "number", "huge", "repeat", "several"]))
    rounds = draw(st.integers(2, 4)) if how == "several" else 1
    for _ in range(rounds):
        kind = draw(st.sampled_from(["truncate", "delete", "duplicate", "swap", "delimiters",
                                     "garbage", "number", "huge"])) if how == "several" \
            else how
        n = len(parts)
        if kind == "truncate":
            joined = term.join(parts)
            parts = joined[: draw(st.integers(0, max(0, len(joined))))].split(term)
        elif kind == "delete" and n > 1:
            del parts[draw(st.integers(0, n - 1))]
        elif kind == "duplicate" and n > 1:
            i = draw(st.integers(0, n - 1))
            parts.insert(i, parts[i])
        elif kind == "swap" and n > 1:
            i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            parts[i], parts[j] = parts[j], parts[i]
        elif kind == "delimiters":
            a, b = draw(st.sampled_from([(sep, b"|"), (term, sep), (sep, b":"), (b":", sep),
                                         (term, b"\n"), (sep, b"~")]))
            parts = term.join(parts).replace(a, b).split(term)
        elif kind == "garbage" and n:
            i = draw(st.integers(0, n - 1))
            at = draw(st.integers(0, len(parts[i])))
            parts[i] = parts[i][:at] + draw(GARBAGE) + parts[i][at:]
        elif kind == "number" and n:
            i = draw(st.integers(0, n - 1))
            elements = parts[i].split(sep)
            if len(elements) > 1:
                elements[draw(st.integers(1, len(elements) - 1))] = draw(NUMBERS).encode()
                parts[i] = sep.join(elements)
        elif kind == "huge" and n:
            i = draw(st.integers(0, n - 1))
            parts[i] = parts[i] + sep + b"X" * draw(st.sampled_from([1000, 70_000, 1_100_000]))
        elif kind == "repeat" and n > 2:
            i = draw(st.integers(1, n - 2))
            parts[i:i] = [parts[i]] * draw(st.sampled_from([100, 5000]))
    return seed, term.join(parts)


@st.composite
def json_mutant(draw: st.DrawFn, seeds: list[bytes]) -> tuple[bytes, bytes]:
    seed = draw(st.sampled_from(seeds))
    how = draw(st.sampled_from(["truncate", "garbage", "deep", "wide", "number", "huge",
                                "value", "delete"]))
    if how == "truncate":
        return seed, seed[: draw(st.integers(0, len(seed)))]
    if how == "garbage":
        at = draw(st.integers(0, len(seed)))
        return seed, seed[:at] + draw(GARBAGE) + seed[at:]
    if how == "deep":
        depth = draw(st.sampled_from([20, 999, 5000, 100_000]))
        opener = draw(st.sampled_from([b"[", b'{"a":']))
        closer = b"]" if opener == b"[" else b"}"
        return seed, seed.replace(b'"procedures":', b'"procedures":' + opener * depth + b"1"
                                  + closer * depth + b', "x":', 1)
    try:
        data = json.loads(seed)
    except ValueError:
        return seed, seed
    target = data[0] if isinstance(data, list) and data else data
    if not isinstance(target, dict):
        return seed, seed
    if how == "wide":
        procs = target.get("procedures") or [{}]
        target["procedures"] = procs[:1] * draw(st.sampled_from([51, 1001, 100_000]))
    elif how == "number":
        key = draw(st.sampled_from(["size_cm", "units", "lesions", "margin_cm", "count"]))
        if target.get("procedures"):
            target["procedures"][0][key] = draw(st.sampled_from(
                [10**400, -1, 1e308, "1e999", 1.5, True, None, "\u0661"]))
    elif how == "huge":
        target["notes"] = "N" * draw(st.sampled_from([10_001, 2_000_000]))
    elif how == "value":
        key = draw(st.sampled_from(list(target) or ["claim_id"]))
        target[key] = draw(st.sampled_from([None, 7, [], {}, "", "Иванов", "x" * 500,
                                            [[[[]]]], "2026-02-30", "\ud800"]))
    elif how == "delete" and target:
        target.pop(draw(st.sampled_from(sorted(target))))
    text = json.dumps(data, default=str, ensure_ascii=draw(st.booleans()))
    return seed, text.encode("utf-8", "surrogatepass")


@st.composite
def toml_mutant(draw: st.DrawFn, seeds: list[bytes]) -> tuple[bytes, bytes]:
    seed = draw(st.sampled_from(seeds))
    lines = seed.split(b"\n")
    how = draw(st.sampled_from(["truncate", "garbage", "value", "delete", "duplicate", "bom"]))
    if how == "truncate":
        return seed, seed[: draw(st.integers(0, len(seed)))]
    if how == "bom":
        return seed, b"\xef\xbb\xbf" + seed
    i = draw(st.integers(0, len(lines) - 1))
    if how == "garbage":
        lines[i] = lines[i] + draw(GARBAGE)
    elif how == "delete":
        del lines[i]
    elif how == "duplicate":
        lines.insert(i, lines[i])
    elif how == "value" and b"=" in lines[i]:
        key = lines[i].split(b"=", 1)[0]
        value = draw(st.sampled_from([b'"abc"', b"-30", b'"1e30"', b"1e30", b"nan", b"inf",
                                      b"true", b"[]", b"{}", b'"\xff"', b"99999999999999999999",
                                      b'""', b'"PO BOX 1"', b"0", b'"\xd0\x98"']))
        lines[i] = key + b"= " + value
    return seed, b"\n".join(lines)


# ------------------------------------------------------------------------- the checks

def _record(target: str, outcome: str, seconds: float) -> None:
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"target": target, "outcome": outcome,
                                 "seconds": round(seconds, 4)}) + "\n")


def _run(target: str, tmp: Path, name: str, data: bytes, secrets: set[str],
         read: Callable[[Path], list[str]], typed: tuple[type[Exception], ...]) -> None:
    path = tmp / name
    path.write_bytes(data)
    start = time.perf_counter()
    try:
        messages = read(path)
        outcome = "result"
    except typed as exc:
        messages = [str(exc)]
        outcome = type(exc).__name__
        assert str(path) in str(exc), f"the error does not name the file: {exc}"
        if isinstance(exc, X12SyntaxError):
            assert exc.segment_number is not None or "empty" in exc.message, str(exc)
        if isinstance(exc, EncounterError):
            assert exc.problems
    finally:
        path.unlink(missing_ok=True)
    _record(target, outcome, time.perf_counter() - start)
    for message in messages:
        said = message.replace(str(path), "<file>")
        assert not _leaks(said, secrets), f"patient data in: {said[:300]}"


def _read_835(path: Path) -> list[str]:
    from edi.x835.reader import read_835_path

    return [f"{f.segment_id} {f.message}" for r in read_835_path(path) for f in r.findings]


def _read_ack(path: Path) -> list[str]:
    from edi.x277.reader import read_277_path
    from edi.x999.reader import read_999_path

    head = path.read_bytes()[:4000]
    reader = read_277_path if b"*277*" in head or b"*277" in head else read_999_path
    return [repr(getattr(a, "findings", "")) for a in reader(path)]


def _load_encounters(path: Path) -> list[str]:
    load_encounters(path)
    return []


def _load_practice(path: Path) -> list[str]:
    load_practice(path)
    return []


def _load_guide(path: Path) -> list[str]:
    load_guide(path)
    return []


def _needs(seeds: list[bytes]) -> None:
    if not seeds:
        pytest.skip("no seed files")


@FUZZ
@given(case=x12_mutant(SEEDS_835))
def test_fuzz_835_reader(case: tuple[bytes, bytes], tmp_path_factory: pytest.TempPathFactory
                         ) -> None:
    seed, data = case
    _run("835", tmp_path_factory.mktemp("f"), "mutant.835", data, _secrets_x12(seed),
         _read_835, (EdiError,))


@FUZZ
@given(case=x12_mutant(SEEDS_ACK or [b""]))
def test_fuzz_ack_readers(case: tuple[bytes, bytes],
                          tmp_path_factory: pytest.TempPathFactory) -> None:
    _needs(SEEDS_ACK)
    seed, data = case
    _run("999/277CA", tmp_path_factory.mktemp("f"), "mutant.x12", data, _secrets_x12(seed),
         _read_ack, (EdiError,))


@FUZZ
@given(case=json_mutant(SEEDS_ENCOUNTER))
def test_fuzz_encounter_loader(case: tuple[bytes, bytes],
                               tmp_path_factory: pytest.TempPathFactory) -> None:
    seed, data = case
    _run("encounter", tmp_path_factory.mktemp("f"), "mutant.json", data,
         _secrets_encounter(seed), _load_encounters, (EncounterError,))


@FUZZ
@given(case=toml_mutant(SEEDS_PRACTICE))
def test_fuzz_practice_loader(case: tuple[bytes, bytes],
                              tmp_path_factory: pytest.TempPathFactory) -> None:
    _run("practice", tmp_path_factory.mktemp("f"), "practice.toml", case[1], set(),
         _load_practice, (PracticeError,))


@FUZZ
@given(case=toml_mutant(SEEDS_GUIDE))
def test_fuzz_guide_loader(case: tuple[bytes, bytes],
                           tmp_path_factory: pytest.TempPathFactory) -> None:
    _run("guide", tmp_path_factory.mktemp("f"), "payer.toml", case[1], set(), _load_guide,
         (GuideError,))


def test_the_leak_check_would_catch_a_leak() -> None:
    """The check is real: a message quoting a seed's patient name or id fails it."""
    seed = _built_835()
    secrets = _secrets_x12(seed)
    assert {"ZAMBRANO", "LUCILLE", "7QK4TW9RD22"} <= secrets
    assert _leaks("NM1*QC*1*ZAMBRANO has no terminator", secrets)
    assert _leaks("member 7QK4TW9RD22", secrets)
    assert "ZAMBRANO" not in VOCABULARY and "OKAFOR" not in VOCABULARY
    # a BOM (Inteligenz) or an unpadded ISA (Nevada) once left real 835 seeds with no
    # secrets at all, so nothing read from them was checked
    bom = b"\xef\xbb\xbf" + seed.replace(b"ISA*00*          *", b"ISA*00**", 1)
    assert _secrets_x12(bom) == secrets
    assert not _leaks("CLP claim XXXXXX9999: charge", _secrets_x12(b"ISA*00**00**ZZ*A*ZZ*B*1*1*^*"
                      b"00501*1*0*P*:~NM1*QC*1*XXXXXXX*XXXX****MR*99999999999~"))
    enc = SEEDS_ENCOUNTER[0]
    assert _secrets_encounter(enc) and not _leaks("procedures[2]: bad", _secrets_encounter(enc))
