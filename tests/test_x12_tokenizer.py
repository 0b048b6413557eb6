"""The streaming X12 tokenizer: delimiters from the ISA, layouts payers really send, chunk
boundaries, and every envelope error as X12SyntaxError with segment number and ID."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edi.errors import X12SyntaxError
from edi.x12 import Delimiters, X12Tokenizer

ISA = ("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
       "*260115*1200*^*00501*000000001*0*P*:~")
BODY = [
    "GS*HP*SENDER*RECEIVER*20260115*1200*1*X*005010X221A1",
    "ST*835*0001",
    "BPR*I*10.00*C*CHK************20260115",
    "SVC*HC:11102:25*10.00*10.00",
    "SE*4*0001",
    "GE*1*1",
    "IEA*1*000000001",
]
TEXT = ISA + "~".join(BODY) + "~"


def tokens(text: str, **kwargs: object) -> list[tuple[int, list[str]]]:
    return list(X12Tokenizer(io.StringIO(text, newline=""), source="t.835", **kwargs))  # type: ignore[arg-type]


def ids(text: str, **kwargs: object) -> list[str]:
    return [e[0] for _, e in tokens(text, **kwargs)]


def test_segments_numbers_and_elements() -> None:
    result = tokens(TEXT)
    assert [n for n, _ in result] == list(range(1, 9))
    assert result[0][1][16] == ":" and len(result[0][1]) == 17
    assert result[4][1] == ["SVC", "HC:11102:25", "10.00", "10.00"]


def test_delimiters_read_from_isa() -> None:
    tok = X12Tokenizer(io.StringIO(TEXT), source="t")
    list(tok)
    assert tok.delimiters == Delimiters("*", ":", "~", "^")


@pytest.mark.parametrize("layout", ["\n", "\r\n", "\r", "\n    ", "  \r\n\t"])
def test_line_breaks_and_indentation_after_terminators(layout: str) -> None:
    text = ISA.replace("~", "~" + layout) + ("~" + layout).join(BODY) + "~" + layout
    assert ids(text) == ids(TEXT)


def test_byte_order_mark_and_leading_whitespace() -> None:
    assert ids("\ufeff" + TEXT) == ids(TEXT)
    assert ids("\n\n  " + TEXT) == ids(TEXT)


def test_cr_as_segment_terminator_with_lf_after() -> None:
    text = (ISA[:-1] + "\r\n") + "\r\n".join(BODY) + "\r\n"
    tok = X12Tokenizer(io.StringIO(text, newline=""), source="t")
    assert [e[0] for _, e in tok] == ids(TEXT)
    assert tok.delimiters.segment == "\r"


def test_unusual_delimiters() -> None:
    d = {"*": "|", ":": ">", "~": "\n"}
    text = "".join(d.get(c, c) for c in TEXT)
    result = tokens(text)
    assert result[4][1] == ["SVC", "HC>11102>25", "10.00", "10.00"]
    text2 = "".join({"*": "~", ":": "^", "~": "_", "^": "U"}.get(c, c) for c in TEXT)
    tok = X12Tokenizer(io.StringIO(text2), source="t")
    assert [e[0] for _, e in tok] == ids(TEXT)
    assert tok.delimiters == Delimiters("~", "^", "_", None)  # ISA11 'U' is no separator


def test_unpadded_isa() -> None:
    text = "ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*260115*1200*^*00501*1*0*P*:~" + "~".join(BODY) + "~"
    text = text.replace("IEA*1*000000001", "IEA*1*1")
    result = tokens(text)
    assert result[0][1][6] == "SENDER" and result[-1][1][0] == "IEA"


def test_two_interchanges_with_different_delimiters() -> None:
    second = "".join({"*": "|", ":": ">", "~": "!"}.get(c, c) for c in TEXT).replace(
        "000000001", "000000002")
    tok = X12Tokenizer(io.StringIO(TEXT + "\n" + second), source="t")
    result = list(tok)
    assert [n for n, _ in result] == list(range(1, 9)) * 2  # numbering restarts per ISA
    assert result[12][1] == ["SVC", "HC>11102>25", "10.00", "10.00"]
    assert tok.interchange_count == 2 and tok.delimiters.element == "|"


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 50, 105, 106, 107, 4096])
def test_chunk_boundaries_do_not_matter(chunk_size: int) -> None:
    text = TEXT + "\r\n" + TEXT.replace("|", "|")
    assert tokens(text, chunk_size=chunk_size) == tokens(text)


def test_final_iea_without_terminator_is_a_defect_not_an_error() -> None:
    tok = X12Tokenizer(io.StringIO(TEXT[:-1]), source="t")
    assert [e[0] for _, e in tok][-1] == "IEA"
    assert tok.defects and tok.defects[0][1] == "IEA"


# ---- errors ----
def error(text: str, **kwargs: object) -> X12SyntaxError:
    with pytest.raises(X12SyntaxError) as info:
        tokens(text, **kwargs)
    return info.value


def replace(old: str, new: str) -> str:
    assert old in TEXT
    return TEXT.replace(old, new)


@pytest.mark.parametrize(
    ("text", "number", "sid", "words"),
    [
        (replace("SE*4*0001", "SE*5*0001"), 6, "SE", "SE01 says 5"),
        (replace("GE*1*1", "GE*2*1"), 7, "GE", "GE01 says 2"),
        (replace("IEA*1*", "IEA*3*"), 8, "IEA", "IEA01 says 3"),
        (replace("SE*4*0001~", ""), 6, "GE", "SE missing"),
        (replace("ST*835*0001~", ""), 3, "BPR", "outside a transaction"),
        (replace("GS*HP", "XX*HP"), 2, "XX", "outside a transaction"),
        (replace("GE*1*1~", ""), 7, "IEA", "GE"),
        (TEXT[: TEXT.index("GE*")], 7, None, "ends without GE and IEA"),
        (TEXT[: TEXT.index("SE*") + 5], 6, "SE", "middle of a segment"),
        (TEXT[:60], 1, "ISA", "inside the ISA"),
        (TEXT + "GARBAGE~", 8, "IEA", "not a new ISA"),
        ("", None, None, "empty"),
        ("HELLO WORLD", 1, None, "does not start with an ISA"),
        (replace("*0*P*:~", "*0*P:~"), 1, "ISA", "ISA"),
        (replace("ST*835*0001~", "ST*835*0001~GS*HP*X*Y*20260115*1200*1*X*005010X221A1~"), 4,
         "GS", "GS inside a transaction"),
    ],
    ids=["se-count", "ge-count", "iea-count", "no-se", "no-st", "no-gs", "no-ge", "no-iea",
         "cut-mid-segment", "cut-in-isa", "junk-after-iea", "empty", "not-x12", "bad-isa",
         "gs-in-st"],
)
def test_envelope_errors(text: str, number: int | None, sid: str | None, words: str) -> None:
    exc = error(text)
    assert exc.segment_number == number
    assert exc.segment_id == sid
    assert words in exc.message
    assert str(exc).startswith("t.835")


@pytest.mark.parametrize(
    ("old", "new", "sid"),
    [("SE*4*0001", "SE*4*0002", "SE"), ("GE*1*1", "GE*1*7", "GE"),
     ("IEA*1*000000001", "IEA*1*000000009", "IEA")],
)
def test_control_number_mismatch_strict_raises_lenient_records(
    old: str, new: str, sid: str
) -> None:
    text = replace(old, new)
    assert error(text, strict=True).segment_id == sid
    tok = X12Tokenizer(io.StringIO(text), source="t")
    list(tok)
    assert [d[1] for d in tok.defects] == [sid]


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(0, len(TEXT) - 2), garbage=st.sampled_from(["", "*", "~", ":", "\n", "ISA"]))
def test_any_cut_or_garbage_gives_x12_error_never_index_error(cut: int, garbage: str) -> None:
    try:
        tokens(TEXT[:cut] + garbage)
    except X12SyntaxError:
        pass


def test_dos_end_of_file_mark_after_iea() -> None:
    assert ids(TEXT + "\r\n\x1a") == ids(TEXT)


def test_runaway_isa_and_runaway_segment_are_errors_not_memory_hogs() -> None:
    exc = error("ISA|" + "x" * 5000)
    assert exc.segment_id == "ISA" and "16 elements" in exc.message
    text = TEXT.replace("GS*HP", "GS*HP" + "*A" * 600_000)  # a 1.2 MB segment
    exc = error(text)
    assert (exc.segment_number, exc.segment_id) == (2, "GS")
    assert "longer than" in exc.message
