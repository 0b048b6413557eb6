"""The CLI contract (issue 19), command by command: `-` reads stdin and writes stdout, every
`--json` matches its schema (dermclaim/cli/schemas), an unknown filter value is exit 2 with
"did you mean" and the list, each exit-code class (0 done, 1 done with items held, 2 input
or store unusable), results on stdout and failures on stderr."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from dermclaim.cli import COMMANDS, REMIT_COMMANDS, main
from edi.x999.writer import accept, answer_group, render_999
from reconcile.store.database import dispose_all, session_scope
from reconcile.store.models import Interchange, SubmittedClaim

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ENCOUNTERS = sorted(str(p) for p in (SAMPLES / "encounters").glob("*.json"))
AMENDED = sorted(str(p) for p in (SAMPLES / "corrections").glob("*.json"))
PRACTICE = str(SAMPLES / "practice.toml")
REMIT = SAMPLES / "remit.835"
NOW = "2026-03-31T12:00:00"
EXIT_TABLE = "2  input or store unusable"


def run(*args: str, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


def schema(name: str) -> dict[str, Any]:
    text = (resources.files("dermclaim.cli") / "schemas" / f"{name}.json").read_text()
    return json.loads(text)  # type: ignore[no-any-return]


def valid(name: str, text: str) -> Any:
    """The JSON printed, checked against its schema (and the money/date conventions)."""
    doc = json.loads(text)
    jsonschema.validate(doc, schema(name))
    return doc


def _store(folder: Path) -> str:
    """The samples sent (encounters through stdin, the 837P to stdout) and answered (the
    sample 835 and a 999 through stdin)."""
    url = f"sqlite:///{folder / 'contract.db'}"
    first, *rest = ENCOUNTERS
    r = run("claims", "-", *rest, "--practice", PRACTICE, "-o", "-", "--db", url, "--now",
            NOW, stdin=Path(first).read_bytes())
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("ISA*") and r.stdout.rstrip().endswith("~")
    assert f"created a new store: {folder / 'contract.db'}" in r.stderr
    assert f"wrote <stdout>: {len(ENCOUNTERS)} claims" in r.stderr  # stdout is the 837P
    (folder / "claims.837").write_text(r.stdout)
    r = run("remit", "load", "-", "--db", url, stdin=REMIT.read_bytes())
    assert r.exit_code == 0, r.stderr
    assert "created a new store" not in r.stderr  # said once, when it was created
    return url


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("contract")
    yield _store(folder), folder
    dispose_all()


# --------------------------------------------------------------------------- streams

def test_stdout_837_is_recorded_by_hash_with_no_path(store: tuple[str, Path]) -> None:
    url, folder = store
    data = (folder / "claims.837").read_bytes()
    with session_scope(url) as s:
        rows = list(s.exec(select(Interchange)))
    assert len(rows) == 1
    assert rows[0].file_name == "<stdout>" and rows[0].file_path is None
    assert rows[0].staged_path is None and rows[0].state == "written"
    assert rows[0].file_hash == hashlib.sha256(data).hexdigest()
    assert not (Path.cwd() / "-").exists()


def test_stdin_is_named_stdin_and_stored_as_such(store: tuple[str, Path]) -> None:
    url, _ = store
    info = valid("db_info", run("db", "info", "--json", "--db", url).stdout)
    assert info["counts"]["remit_file"] == 1 and info["counts"]["interchange"] == 1
    r = run("code", "-", stdin="{ not json")
    assert r.exit_code == 2 and "<stdin>: not valid JSON" in r.stderr and r.stdout == ""
    r = run("code", "-", "--json", stdin=Path(ENCOUNTERS[0]).read_bytes())
    assert r.exit_code == 0 and json.loads(r.stdout)["claim_id"] == "DC-1001"
    r = run("remit", "show", "-", stdin=REMIT.read_bytes())
    assert r.exit_code == 0 and r.stdout.startswith("<stdin>\n")
    r = run("validate", "-", stdin=REMIT.read_bytes())
    assert r.exit_code == 0 and re.search(r"^<stdin>: 835, \d+ segments: valid$", r.stdout, re.M)
    r = run("claims", ENCOUNTERS[0], "--practice", "-", "-o", "-", "--db", url,
            stdin="[billing_provider\n")
    assert r.exit_code == 2 and "<stdin>" in r.stderr and "/tmp" not in r.stderr
    r = run("remit", "load", "-", "-", "--db", url, stdin=REMIT.read_bytes())
    assert r.exit_code == 2 and "standard input is read once" in r.stderr


def test_validate_writes_its_999_to_stdout(store: tuple[str, Path]) -> None:
    _, folder = store
    r = run("validate", str(folder / "claims.837"), "--ack", "-")
    assert r.exit_code == 0 and r.stdout.startswith("ISA*") and "*999*" in r.stdout
    assert "999 written to <stdout>" in r.stderr  # the findings moved out of its way


def test_reports_write_to_stdout(store: tuple[str, Path]) -> None:
    url, _ = store
    r = run("worklist", "-o", "-", "--include-expired", "--db", url)
    assert r.exit_code == 0 and r.stdout.startswith('"denial_id","section"')
    assert '="' not in r.stdout  # raw identifiers, no formula wrapping
    assert "<stdout>: 19 denied lines" in r.stderr
    r = run("report", "-o", "-", "--db", url)
    assert r.exit_code == 0 and r.stdout.lstrip().startswith("<!DOCTYPE html>")
    assert "<stdout>: billed $" in r.stderr


def test_several_files_cannot_go_to_stdout(store: tuple[str, Path]) -> None:
    url, _ = store
    r = run("appeal", "1", "-o", "-", "--practice", PRACTICE, "--db", url)
    assert r.exit_code == 2 and "appeal letters are several files" in r.stderr
    r = run("correct", "-o", "-", "--requests", "-", "--practice", PRACTICE, "--db", url)
    assert r.exit_code == 2 and "reopening requests are several files" in r.stderr
    assert not (Path.cwd() / "-").exists()


# --------------------------------------------------------------------------- --json

def test_every_reading_json_matches_its_schema(store: tuple[str, Path]) -> None:
    url, folder = store
    rows = valid("denials", run("denials", "--status", "all", "--json", "--db", url).stdout)
    assert len(rows) == 19 and all(r["denied_amount"].count(".") == 1 for r in rows)
    by = valid("denials_by", run("denials", "--by", "cause", "--json", "--db", url).stdout)
    assert sum(g["lines"] for g in by) == 19
    valid("claims_status", run("claims", "status", "--json", "--db", url).stdout)
    valid("rejections", run("rejections", "--json", "--db", url).stdout)
    wl = valid("worklist_rows", run("worklist", "--json", "--include-expired", "--db",
                                    url).stdout)
    assert len(wl) == 19
    summary = valid("worklist", run("worklist", "-o", str(folder / "w.csv"), "--json",
                                    "--db", url).stdout)
    assert summary["file"].endswith("w.csv")
    report = valid("report", run("report", "-o", str(folder / "r.html"), "--json", "--db",
                                 url, "--as-of", "2026-05-01").stdout)
    assert report["as_of"] == "2026-05-01" and report["denied"] == "11128.00"
    valid("validate", run("validate", str(folder / "claims.837"), "--json").stdout)
    shown = valid("ack_show", run("ack", "show", "-", "--json", stdin=_999(url)).stdout)
    assert shown["file"] == "<stdin>" and shown["kind"] == "999"


def _999(url: str) -> str:
    """A 999 accepting the one transaction set the store sent."""
    with session_scope(url) as s:
        c = s.exec(select(SubmittedClaim)).first()
        assert c is not None
        group, st02 = str(c.group_control_number), c.transaction_control_number
    return render_999([answer_group(group, "005010X222A1", [accept(st02)])],
                      sender="EXCLEARINGHSE", receiver="SPRDERM01", control=901,
                      when=datetime(2026, 4, 1, 8, 0))


def test_every_acting_json_matches_its_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    r = run("claims", *ENCOUNTERS[:3], "--practice", PRACTICE, "-o", str(tmp_path / "c.837"),
            "--db", url, "--now", NOW, "--json")
    written = valid("claims", r.stdout)
    assert r.exit_code == 0 and written["totals"]["claims"] == 3
    assert written["file_hash"] and written["written"] is True
    again = run("claims", ENCOUNTERS[0], "--practice", PRACTICE, "-o",
                str(tmp_path / "d.837"), "--db", url, "--now", NOW, "--json")
    held = valid("claims", again.stdout)
    assert again.exit_code == 1 and held["totals"]["held"] == 1 and not held["written"]
    loaded = valid("remit_load", run("remit", "load", str(REMIT), "--db", url,
                                     "--json").stdout)
    assert loaded["counts"] == {"loaded": 1, "already_loaded": 0, "failed": 0}
    acks = valid("ack_load", run("ack", "load", "-", "--json", "--db", url,
                                 stdin=_999(url)).stdout)
    assert acks["items"][0]["file"] == "<stdin>" and acks["items"][0]["kind"] == "999"
    rows = json.loads(run("denials", "--json", "--db", url).stdout)
    moved = valid("denial_set", run("denial", "set", str(rows[0]["denial_id"]), "--status",
                                    "WRITTEN_OFF", "--note", "small", "--json", "--db",
                                    url).stdout)
    assert moved["status"] == "written_off"
    letters = valid("appeal", run("appeal", str(rows[1]["denial_id"]), "-o",
                                  str(tmp_path / "l"), "--practice", PRACTICE, "--json",
                                  "--db", url).stdout)
    assert letters["letters"] or letters["refused"]
    out = run("correct", "-o", "-", "--practice", PRACTICE, "--requests",
              str(tmp_path / "req"), "--json", "--db", url)
    assert out.exit_code in (0, 1), out.stderr
    valid("correct", out.stderr if out.stdout.startswith("ISA") else out.stdout)


# --------------------------------------------------------------------------- known values

@pytest.mark.parametrize(("args", "option", "hint"), [
    (["denials", "--cause", "bundlng"], "--cause", "did you mean bundling?"),
    (["denials", "--payer", "medicar"], "--payer", "did you mean medicare or medigap?"),
    (["worklist", "--code", "1110"], "--code", "did you mean 17110 or 11104"),
    (["report", "-o", "r.html", "--status", "opne"], "--status", "did you mean open?"),
    (["claims", "status", "--status", "rejectd"], "--status", "did you mean rejected?"),
    (["rejections", "--payer", "comercial"], "--payer", "did you mean commercial?"),
])
def test_an_unknown_filter_value_is_named(store: tuple[str, Path], args: list[str],
                                          option: str, hint: str, tmp_path: Path) -> None:
    url, _ = store
    r = run(*args, "--db", url)
    assert r.exit_code == 2 and r.stdout == ""
    assert f"{option} '{args[-1]}' is not known: {hint}" in r.stderr
    assert "known values:" in r.stderr


def test_word_filters_match_without_regard_to_case(store: tuple[str, Path]) -> None:
    url, _ = store
    lower = json.loads(run("denials", "--cause", "bundling", "--json", "--db", url).stdout)
    upper = json.loads(run("denials", "--cause", "Bundling", "--payer", "MEDICARE",
                           "--status", "Open", "--json", "--db", url).stdout)
    assert lower and lower == [r for r in lower if r["payer"] == "medicare"] == upper
    r = run("code", ENCOUNTERS[0], "--guide", "medicar")
    assert r.exit_code == 2
    assert "--guide 'medicar' is not known: did you mean medicare or medigap?" in r.stderr


# --------------------------------------------------------------------------- formats

def test_list_formats_and_limit(store: tuple[str, Path]) -> None:
    url, _ = store
    for command in (["denials"], ["claims", "status"], ["worklist"]):
        every = json.loads(run(*command, "--json", "--status", "all", "--db", url).stdout) \
            if command == ["denials"] else json.loads(run(*command, "--json", "--db",
                                                          url).stdout)
        nd = run(*command, "--format", "ndjson", "--limit", "2", "--db", url)
        lines = nd.stdout.splitlines()
        assert len(lines) == min(2, len(every)) and all(json.loads(x) for x in lines)
        if len(every) > 2:
            assert "showing 2 of" in nd.stderr
        csv_out = run(*command, "--format", "csv", "--db", url).stdout
        assert csv_out.startswith('"') and len(csv_out.splitlines()) >= 1
    r = run("denials", "--json", "--format", "csv", "--db", url)
    assert r.exit_code == 2 and "disagree" in r.stderr


# --------------------------------------------------------------------------- exit codes

def test_exit_code_classes(store: tuple[str, Path], tmp_path: Path) -> None:
    url, folder = store
    bare = run()
    assert bare.exit_code == 0 and "Usage: " in bare.stdout and EXIT_TABLE in bare.stdout
    assert run("code", ENCOUNTERS[0]).exit_code == 0  # 0 done
    held = run("claims", ENCOUNTERS[0], "--practice", PRACTICE, "-o", str(tmp_path / "x.837"),
               "--db", url)
    assert held.exit_code == 1 and "held:" in held.stderr and "already sent" in held.stderr
    assert not (tmp_path / "x.837").exists()
    # 2: unreadable file, wrong file type, no store, bad URL, missing store folder
    wrong_type = run("claims", str(REMIT), "--practice", PRACTICE, "-o", "-", "--db", url)
    assert wrong_type.exit_code == 2 and "not valid JSON" in wrong_type.stderr
    assert wrong_type.stdout == ""
    assert run("remit", "load", str(folder / "claims.837"), "--db", url).exit_code == 2
    assert run("ack", "load", str(REMIT), "--db", url).exit_code == 2
    assert run("remit", "show", str(tmp_path / "none.835")).exit_code == 2
    no_store = run("denials", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert no_store.exit_code == 2 and f"no store at {tmp_path / 'none.db'}" in no_store.stderr
    assert run("denials", "--db", "mysql://u:pw@h/x").exit_code == 2
    bad_url = run("claims", ENCOUNTERS[0], "--practice", PRACTICE, "-o", "-", "--db",
                  "mysql://u:pw@h/x")
    assert bad_url.exit_code == 2 and "warning" not in bad_url.stderr  # refused up front
    assert "pw" not in bad_url.stderr
    missing = run("remit", "load", str(REMIT), "--db",
                  f"sqlite:///{tmp_path / 'no' / 'folder' / 's.db'}")
    assert missing.exit_code == 2 and "cannot create the store" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_failures_on_stderr_results_on_stdout(store: tuple[str, Path], tmp_path: Path) -> None:
    url, folder = store
    broken = tmp_path / "broken.835"
    broken.write_bytes(REMIT.read_bytes()[:300])
    r = run("remit", "load", str(broken), str(REMIT), "--db", url)
    assert r.exit_code == 2
    assert "broken.835" in r.stderr and "broken.835" not in r.stdout
    assert "already loaded" in r.stdout and "files: 0 loaded, 1 already loaded, 1 failed" \
        in r.stdout
    r = run("ack", "load", str(broken), "--db", url)
    assert r.exit_code == 2 and "broken.835" in r.stderr and r.stdout == ""


# --------------------------------------------------------------------------- help

def _commands() -> list[list[str]]:
    out = [[name] for name in COMMANDS if name not in ("remit", "ack", "db", "denial")]
    out += [["remit", n] for n in REMIT_COMMANDS]
    out += [["ack", "load"], ["ack", "show"], ["claims", "status"], ["db", "info"],
            ["db", "upgrade"], ["denial", "show"], ["denial", "set"]]
    return out


@pytest.mark.parametrize("command", _commands(), ids=lambda c: "-".join(c))
def test_every_help_ends_with_the_exit_table(command: list[str]) -> None:
    r = run(*command, "--help")
    assert r.exit_code == 0 and "Exit status:" in r.stdout and EXIT_TABLE in r.stdout


def test_top_level_help_is_not_cut() -> None:
    out = run("--help").stdout
    commands = out[out.index("Commands:"):out.index("Exit status:")]
    assert "..." not in commands and "…" not in commands
    assert "replacement claims, or a Medicare reopening request / new claim" in " ".join(
        out.split())


def test_correct_writes_its_837_to_stdout(tmp_path: Path) -> None:
    """The sample corrections (issue 9's routes) with `-o -`: the replacement claims on
    stdout, recorded by hash, the reopening requests in their folder, the JSON on stderr."""
    url = _store(tmp_path)
    r = run("correct", *AMENDED, "-o", "-", "--practice", PRACTICE, "--requests",
            str(tmp_path / "requests"), "--json", "--db", url)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("ISA*") and "CLM*DC-1003*" in r.stdout
    doc = valid("correct", r.stderr[r.stderr.index("{"):])
    assert doc["out_path"] == "<stdout>"
    assert sorted(p.name for p in (tmp_path / "requests").iterdir()) == sorted(
        Path(c["document"]).name for c in doc["corrected"] if c["route"] == "reopening")
    with session_scope(url) as s:
        names = [i.file_name for i in s.exec(select(Interchange))]
    assert names == ["<stdout>", "<stdout>"]
