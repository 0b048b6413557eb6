"""Guides' TOML parsed once per content (companion_guides.toml_cache): the same answers as
tomllib, never an older parse for new text, and no tomllib import once a text is cached."""

from __future__ import annotations

import datetime
import json
import marshal
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from companion_guides import GuideError, guide_names, load_guide, toml_cache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DERMCLAIM_CACHE_DIR", str(folder))
    return folder


@pytest.mark.parametrize("name", guide_names())
def test_a_shipped_guide_parses_as_tomllib_parses_it_cold_and_cached(
        cache: Path, name: str) -> None:
    text = (ROOT / "companion_guides" / f"{name}.toml").read_text(encoding="utf-8-sig")
    expected = tomllib.loads(text)
    assert toml_cache.loads(text) == expected  # parsed, then stored
    assert len(list(cache.glob("toml-*.marshal"))) == 1
    cached = toml_cache.loads(text)  # read back
    assert cached == expected
    assert json.dumps(cached) == json.dumps(expected)  # same order, same types (bool/int)
    assert load_guide(name) == load_guide(name)


def test_edited_text_is_parsed_again(cache: Path) -> None:
    assert toml_cache.loads('a = 1\nb = "x"\n') == {"a": 1, "b": "x"}
    assert toml_cache.loads('a = 2\nb = "x"\n') == {"a": 2, "b": "x"}  # same length
    assert toml_cache.loads('a = 1\nb = "x"\n') == {"a": 1, "b": "x"}


def test_a_cache_file_for_other_text_or_damaged_is_not_believed(cache: Path) -> None:
    text = "a = 1\n"
    toml_cache.loads(text)
    (path,) = cache.glob("toml-*.marshal")
    # a file under this text's name holding another text (a checksum collision) or garbage
    path.write_bytes(marshal.dumps(("a = 9\n", {"a": 9})))
    assert toml_cache.loads(text) == {"a": 1}
    path.write_bytes(b"\x00garbage")
    assert toml_cache.loads(text) == {"a": 1}
    assert marshal.loads(path.read_bytes()) == (text, {"a": 1})  # stored again


def test_not_toml_is_the_guide_error_cached_or_not(cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("payer_name = \n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(GuideError, match="bad.toml: not valid TOML"):
            load_guide(bad)
    assert not list(cache.glob("toml-*.marshal"))


def test_dates_parse_but_are_not_stored(cache: Path) -> None:
    assert toml_cache.loads("d = 2026-03-02\n") == {"d": datetime.date(2026, 3, 2)}
    assert not list(cache.glob("toml-*.marshal"))


def test_an_unwritable_cache_still_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DERMCLAIM_CACHE_DIR", str(blocker / "cache"))
    assert toml_cache.loads("a = [1, 2]\n") == {"a": [1, 2]}


def test_a_cached_guide_loads_without_tomllib(cache: Path) -> None:
    code = ("import sys\nfrom companion_guides import load_guide\n"
            "g = load_guide('medicare')\nprint(g.payer_name, 'tomllib' in sys.modules)")
    env = dict(os.environ, DERMCLAIM_CACHE_DIR=str(cache))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env=env, cwd=ROOT).stdout.split() for _ in range(2)]
    assert runs[0][-1] == "True" and runs[1][-1] == "False"
    assert runs[0][:-1] == runs[1][:-1]
