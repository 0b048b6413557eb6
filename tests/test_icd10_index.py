"""The compact ICD-10-CM index: the official code set's answers, built once and cached."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from coding import icd10_index as mod
from coding.icd10_index import icd10_index
from coding.validation import icd10_problem


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DERMCLAIM_CACHE_DIR", str(folder))
    icd10_index.cache_clear()
    yield folder
    icd10_index.cache_clear()


def _library():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd
    return icd


def test_index_answers_like_the_library_for_every_code(fresh_cache: Path) -> None:
    icd = _library()
    index = icd10_index()
    checked = 0
    for code in icd.get_all_codes(with_dots=False):
        is_code = icd.is_category_or_subcategory(code) or icd.is_extended_subcategory(code)
        if not is_code:  # chapters ("1") and blocks ("A00-A09")
            assert index.children(code) is None
            continue
        expected = tuple(c.replace(".", "") for c in icd.get_children(code))
        assert index.children(code) == expected, code
        assert index.is_billable(code) == icd.is_leaf(code), code
        checked += 1
    assert checked > 90_000  # the April 2026 list has about 98,000 codes below blocks
    assert index.version == "April 2026"


@pytest.mark.parametrize("code", ["ZZZ9", "L5", "L57.0", "L5700", "A0", ""])
def test_what_is_not_a_code_is_not_in_the_index(fresh_cache: Path, code: str) -> None:
    assert icd10_index().children(code) is None


def test_built_once_then_read_from_the_cache(fresh_cache: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    first = icd10_index()
    files = list(fresh_cache.glob("icd10cm-*.txt"))
    assert len(files) == 1 and "1.5" in files[0].name  # keyed by the library's version
    icd10_index.cache_clear()

    def no_build(_version: str) -> mod.Icd10Index:
        raise AssertionError("the cached index should have been read")

    monkeypatch.setattr(mod, "_build", no_build)
    assert icd10_index() == first


def test_a_truncated_cache_file_is_rebuilt(fresh_cache: Path) -> None:
    expected = icd10_index()
    path = next(fresh_cache.glob("icd10cm-*.txt"))
    text = path.read_text()
    path.write_text(text[: len(text) // 2])  # a crash mid-write by an older writer
    icd10_index.cache_clear()
    assert icd10_index() == expected
    assert path.read_text() == text


def test_an_unwritable_cache_still_answers(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DERMCLAIM_CACHE_DIR", str(blocker / "cache"))
    icd10_index.cache_clear()
    try:
        assert icd10_index().is_billable("L570")
    finally:
        icd10_index.cache_clear()


def test_a_new_code_set_gets_its_own_index(fresh_cache: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    icd10_index()
    key, _ = mod._code_set_key()
    signature = mod._data_signature()
    monkeypatch.setattr(mod, "_code_set_key", lambda: (key + "-next", "October 2026"))
    # a new release replaces the library's files: their signature changes with them
    monkeypatch.setattr(mod, "_data_signature", lambda: f"{signature}-next")
    icd10_index.cache_clear()
    assert icd10_index().version == "October 2026"
    assert len(list(fresh_cache.glob("icd10cm-*.txt"))) == 2


def test_the_key_file_spares_reading_the_distribution_record(
        fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = icd10_index()
    assert len(list(fresh_cache.glob("icd10cm-at-*.key"))) == 1
    icd10_index.cache_clear()

    def no_record() -> tuple[str, str]:
        raise AssertionError("the key file should have named the index")

    monkeypatch.setattr(mod, "_code_set_key", no_record)
    assert icd10_index() == first
    icd10_index.cache_clear()
    # the library's files changed (size, time or place): the record is read again
    monkeypatch.undo()
    monkeypatch.setenv("DERMCLAIM_CACHE_DIR", str(fresh_cache))
    calls = []
    real = mod._code_set_key
    monkeypatch.setattr(mod, "_code_set_key", lambda: calls.append(1) or real())
    monkeypatch.setattr(mod, "_data_signature", lambda: "another-install")
    assert icd10_index() == first and calls == [1]


@pytest.mark.parametrize("code", ["A00", "A000", "Z9989", "L570", "S72001A"])
def test_binary_search_finds_first_middle_and_last_codes(fresh_cache: Path,
                                                         code: str) -> None:
    """The search over the text against a plain scan of its lines."""
    index = icd10_index()
    by_scan = {line.partition(" ")[0]: tuple(line.partition(" ")[2].split())
               for line in index.text.splitlines()}
    assert index.children(code) == by_scan.get(code)
    first, last = index.text.split(" ", 1)[0], index.text.splitlines()[-1].partition(" ")[0]
    assert index.children(first) == by_scan[first]
    assert index.children(last) == by_scan[last]


def test_problems_read_from_the_index(fresh_cache: Path) -> None:
    icd10_problem.cache_clear()
    assert icd10_problem("L570") is None
    assert icd10_problem("S72001A") is None  # seventh character (extended subcategory)
    problem = icd10_problem("L57") or ""
    assert "category" in problem and "L57.0" in problem
    assert "April 2026" in (icd10_problem("L5799") or "")


@pytest.mark.parametrize("data", [b"# ICD-10-CM X\nA00 A000\nA000\n# end\n",
                                  b"# ICD-10-CM X\n\n# end\n"])
def test_a_cache_file_reads_as_its_text_says(data: bytes) -> None:
    head, _, body = data.decode("ascii").partition("\n")
    assert mod._read(data) == mod.Icd10Index(head[len("# ICD-10-CM "):],
                                             body[:-len("# end\n")])


@pytest.mark.parametrize("data", [b"", b"# ICD-10-CM X", b"# ICD-10-CM X\n# end\n",
                                  b"# ICD-10-CM X\nA00\n# end", b"# ICD-10 X\nA00\n# end\n",
                                  b"# ICD-10-CM X\nA\xe900\n# end\n"])
def test_an_incomplete_or_foreign_cache_file_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        mod._read(data)
