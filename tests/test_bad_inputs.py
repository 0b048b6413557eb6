"""The bad-input catalog (tests/bad_inputs/catalog.toml) through the real CLI entry point:
exact message, exit code, no traceback, no patient data in any message."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from dermclaim.cli import main

HERE = Path(__file__).resolve().parent / "bad_inputs"
FILES = HERE / "files"
CASES = tomllib.loads((HERE / "catalog.toml").read_text(encoding="utf-8"))["case"]
# patient data of the inputs: none of it may reach a message
PHI = ("OKAFOR", "Okafor", "RUTH", "Ruth", "1948-06-14", "19480614", "1EG4TE5MK73",
       "7QK4TW9RD22", "Juniper")


def _visit() -> dict:  # type: ignore[type-arg]
    return json.loads((FILES / "visit.json").read_text())


def make(name: str, tmp: Path) -> None:
    """The inputs too large to keep in the repository."""
    if name == "wide_json":
        data = _visit()
        data["procedures"] = data["procedures"][:1] * 100_000
        (tmp / "wide.json").write_text(json.dumps(data))
    elif name == "many_encounters":
        (tmp / "many.json").write_text(json.dumps([_visit()] * 5001))
    elif name == "long_notes":
        data = _visit()
        data["notes"] = "x" * 20_000
        (tmp / "long-notes.json").write_text(json.dumps(data))
    elif name == "wrong_terminator_835":
        text = (FILES / "base.835").read_text()
        head, _, rest = text.partition("~")
        (tmp / "wrong-terminator.835").write_text(head + "~" + rest.replace("~", "|")
                                                  + "X" * (1 << 20))
    else:
        raise AssertionError(f"unknown maker {name}")


def fill(text: str, tmp: Path) -> str:
    return text.replace("{files}", str(FILES)).replace("{tmp}", str(tmp))


def test_the_catalog_has_at_least_40_cases_with_unique_names() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) >= 40 and len(set(names)) == len(names)
    kinds = {c["name"].split("-")[0] for c in CASES}
    assert {"encounter", "835", "practice", "guide", "store", "999", "277"} <= kinds


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    monkeypatch.setenv("DERMCLAIM_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("DERMCLAIM_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.chdir(tmp_path)
    if "make" in case:
        make(case["make"], tmp_path)
    args = [fill(a, tmp_path) for a in case["args"]]
    result = CliRunner().invoke(main, args)
    out, err = result.stdout, result.stderr
    assert "Traceback" not in out + err
    assert not (tmp_path / "logs").exists(), "reported as a bug: " + err
    assert result.exit_code == case["exit"], err or out
    assert err.strip() == fill(case["stderr"], tmp_path).strip()
    for words in case.get("stdout", []):
        assert fill(words, tmp_path) in out
    for secret in PHI:
        assert secret not in err and secret not in out, f"{secret} in the output"
