"""`dermclaim claims` and `dermclaim validate` end to end: golden files, held encounters,
control numbers across runs, bad input, and a generated batch of 1,200 encounters."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from claim_builders import (
    PRACTICE_PATH,
    claim,
    kenalog,
    line,
    practice,
    rendering,
    spouse_subscriber,
)
from click.testing import CliRunner, Result
from encounter_batch import PROCEDURE_MAKERS, make_encounters, write_encounters

from dermclaim.cli import main
from edi.validate import validate_path
from reconcile.store.submissions import submit_claims

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLES = ROOT / "samples"
SAMPLE_NOW = "2026-03-31T12:00:00"
REGEN = bool(os.environ.get("DERMCLAIM_REGEN_GOLDEN"))


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _golden(path: Path, data: bytes) -> None:
    if REGEN:
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{path.name} changed: regenerate deliberately with " \
                                      "DERMCLAIM_REGEN_GOLDEN=1 and review the diff"


def test_golden_scenarios_byte_identical(tmp_path: Path) -> None:
    """Every scenario in one file, independent of the coding engine: fixed now + fresh
    store -> the same bytes, twice."""
    sub = spouse_subscriber()
    claims = [
        claim("DC-1", rendering_provider=rendering()),
        claim("DC-2", payer="commercial", subscriber=sub, diagnoses=("L910",),
              lines=(line(1, "11900", "140", claim_id="DC-2"),
                     line(2, "J3301", "16", units=4, drug=kenalog(), claim_id="DC-2"))),
        claim("DC-3", payer="commercial", frequency="7", payer_claim_number="2026030512345",
              prior_authorization="PA778812"),
        claim("DC-4", lines=tuple(line(n, "11102" if n == 1 else "11103",
                                       "240" if n == 1 else "135", claim_id="DC-4",
                                       ptrs=(2,), procedure=n) for n in range(1, 53))),
    ]
    outputs = []
    for run_no in range(2):
        out = tmp_path / f"run{run_no}.837"
        submit_claims(claims, practice(), out, url=f"sqlite:///{tmp_path}/s{run_no}.db",
                      now=datetime(2026, 3, 5, 9, 30, tzinfo=UTC))
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    _golden(GOLDEN / "scenarios.837", outputs[0])
    assert validate_path(GOLDEN / "scenarios.837").findings == ()


def test_samples_claims_837_is_what_the_readme_command_writes(tmp_path: Path) -> None:
    encounters = sorted(str(p) for p in (SAMPLES / "encounters").glob("*.json"))
    out = tmp_path / "claims.837"
    result = run("claims", *encounters, "--practice", str(PRACTICE_PATH), "-o", str(out),
                 "--db", f"sqlite:///{tmp_path}/store.db", "--now", SAMPLE_NOW)
    assert result.exit_code in (0, 1), result.output
    assert "pyx12: 0 errors" in result.output
    _golden(SAMPLES / "claims.837", out.read_bytes())
    assert validate_path(out).ok


def _encounter_file(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def test_held_encounter_is_listed_and_the_rest_written(tmp_path: Path) -> None:
    encs = make_encounters(3, seed=7)
    no_fee = dict(encs[1])
    no_fee["procedures"] = [{"type": "other", "code": "10080", "units": 1, "site": "back",
                             "diagnoses": [no_fee["diagnoses"][0]]}]
    no_fee["diagnoses"] = [no_fee["diagnoses"][0]]
    files = [_encounter_file(tmp_path, "a.json", encs[0]),
             _encounter_file(tmp_path, "b.json", no_fee),
             _encounter_file(tmp_path, "c.json", encs[2]),
             _encounter_file(tmp_path, "broken.json", {"claim_id": 5})]
    out = tmp_path / "out.837"
    result = run("claims", *files, "--practice", str(PRACTICE_PATH), "-o", str(out),
                 "--db", f"sqlite:///{tmp_path}/s.db", "--now", SAMPLE_NOW)
    assert result.exit_code == 1
    assert f"held: {files[1]}: claim {no_fee['claim_id']} held:" in result.stderr
    assert "10080" in result.stderr
    assert f"held: {files[3]}: claim_id:" in result.stderr
    assert "Traceback" not in result.output
    assert "wrote" in result.stdout and "2 claims" in result.stdout
    text = out.read_text()
    assert no_fee["claim_id"] not in text and encs[0]["claim_id"] in text
    assert validate_path(out).ok


def test_all_held_writes_no_file(tmp_path: Path) -> None:
    enc = make_encounters(1, seed=3)[0]
    enc["date_of_service"] = "2026-12-01"
    out = tmp_path / "out.837"
    result = run("claims", _encounter_file(tmp_path, "a.json", enc), "--practice",
                 str(PRACTICE_PATH), "-o", str(out), "--db", f"sqlite:///{tmp_path}/s.db",
                 "--now", SAMPLE_NOW)
    assert result.exit_code == 1
    assert "after the file date" in result.stderr and "nothing written" in result.stderr
    assert not out.exists()


def test_control_numbers_never_repeat_across_cli_runs(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/s.db"
    isa13s, st02s = [], []
    for n in range(3):
        encs = make_encounters(6, seed=11 + n)
        for e in encs:
            e["claim_id"] = f"R{n}-{e['claim_id']}"  # new encounters each run
        files = [_encounter_file(tmp_path, f"r{n}-{i}.json", e) for i, e in enumerate(encs)]
        out = tmp_path / f"o{n}.837"
        assert run("claims", *files, "--practice", str(PRACTICE_PATH), "-o", str(out),
                   "--db", db, "--now", SAMPLE_NOW).exit_code == 0
        segs = [s.strip() for s in out.read_text().split("~") if s.strip()]
        isa13s.append(segs[0].split("*")[13])
        st02s += [s.split("*")[2] for s in segs if s.startswith("ST*")]
    assert isa13s == ["000000001", "000000002", "000000003"]
    assert len(st02s) == len(set(st02s))


def test_no_newlines_flag(tmp_path: Path) -> None:
    files = [str(p) for p in write_encounters(tmp_path / "enc", 2, seed=5)]
    out = tmp_path / "o.837"
    assert run("claims", *files, "--practice", str(PRACTICE_PATH), "-o", str(out), "--db",
               f"sqlite:///{tmp_path}/s.db", "--now", SAMPLE_NOW,
               "--no-newlines").exit_code == 0
    data = out.read_bytes()
    assert b"\n" not in data and data.endswith(b"~")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--practice", "missing.toml"], "missing.toml: cannot read practice file"),
        (["--now", "yesterday"], "--now: 'yesterday' is not an ISO date-time"),
        (["--guide", "acme"], "--guide 'acme' is not known"),
        (["-o", "a.json/x.837"], "a.json is not a folder"),
    ],
)
def test_bad_input_is_one_clear_message(tmp_path: Path, args: list[str], message: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    enc = _encounter_file(tmp_path, "a.json", make_encounters(1)[0])
    base = {"--practice": str(PRACTICE_PATH), "-o": str(tmp_path / "o.837"),
            "--db": f"sqlite:///{tmp_path}/s.db"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    flat = [x for kv in base.items() for x in kv]
    monkeypatch.chdir(tmp_path)
    result = run("claims", enc, *flat)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_validate_command(tmp_path: Path) -> None:
    out = tmp_path / "o.837"
    files = [str(p) for p in write_encounters(tmp_path / "enc", 2, seed=9)]
    run("claims", *files, "--practice", str(PRACTICE_PATH), "-o", str(out), "--db",
        f"sqlite:///{tmp_path}/s.db", "--now", SAMPLE_NOW)
    ok = run("validate", str(out), "--ack", str(tmp_path / "o.999"))
    assert ok.exit_code == 0 and "valid; 999 written" in ok.stdout
    bad = tmp_path / "bad.837"
    bad.write_text(out.read_text().replace("*UN*1***", "*UN*0***", 1))
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert f"{bad}: error: segment " in result.stdout and "SV104 units" in result.stdout
    missing = run("validate", str(tmp_path / "nope.837"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr


def test_generated_batch_of_1200_validates_clean(tmp_path: Path) -> None:
    """1,200 varied encounters (every procedure type, both payers, subscribers, rendering
    providers, replacements, prior auths) through the command: nothing held, pyx12 and our
    checks report zero errors."""
    files = [str(p) for p in write_encounters(tmp_path / "enc", 1200, seed=2026)]
    kinds = {p["type"] for e in make_encounters(1200, seed=2026) for p in e["procedures"]}
    assert kinds == set(PROCEDURE_MAKERS) | {"office_visit"}
    out = tmp_path / "batch.837"
    start = time.monotonic()
    result = run("claims", *files, "--practice", str(PRACTICE_PATH), "-o", str(out),
                 "--db", f"sqlite:///{tmp_path}/s.db", "--now", SAMPLE_NOW)
    elapsed = time.monotonic() - start
    assert result.exit_code == 0, result.stderr[:2000]
    assert "1200 claims" in result.stdout and "pyx12: 0 errors" in result.stdout
    text = out.read_text()
    assert text.count("\nSBR*P*18*******MB~") > 100 and text.count("\nSBR*P*18*******CI~") > 100
    assert "\nPAT*01~" in text and "\nPAT*19~" in text and "\nPAT*G8~" in text
    assert "\nLIN**N4*" in text and ":B:7*" in text and "\nREF*G1*" in text
    assert "\nNM1*82*1*" in text
    report = validate_path(out)  # independent re-check of the file on disk
    assert report.findings == ()
    assert elapsed < 60


def test_an_original_already_sent_is_held_on_the_next_run(tmp_path: Path) -> None:
    enc = make_encounters(1, seed=21)[0]
    path = _encounter_file(tmp_path, "a.json", enc)
    args = ["--practice", str(PRACTICE_PATH), "--db", f"sqlite:///{tmp_path}/s.db",
            "--now", SAMPLE_NOW]
    assert run("claims", path, "-o", str(tmp_path / "1.837"), *args).exit_code == 0
    again = run("claims", path, "-o", str(tmp_path / "2.837"), *args)
    assert again.exit_code == 1
    assert "already sent in interchange 000000001 on 2026-03-31" in again.stderr
    assert not (tmp_path / "2.837").exists()
    replacement = dict(enc, frequency="7", payer_claim_number="PCN0001")
    rpath = _encounter_file(tmp_path, "a7.json", replacement)
    ok = run("claims", rpath, "-o", str(tmp_path / "3.837"), *args)
    assert ok.exit_code == 0, ok.stderr
    assert ":B:7*" in (tmp_path / "3.837").read_text()


def test_past_timely_filing_is_written_with_a_warning(tmp_path: Path) -> None:
    enc = make_encounters(1, seed=31)[0]
    enc["payer"], enc["date_of_service"] = "commercial", "2025-06-02"
    enc.pop("subscriber", None)
    out = tmp_path / "o.837"
    result = run("claims", _encounter_file(tmp_path, "old.json", enc), "--practice",
                 str(PRACTICE_PATH), "-o", str(out), "--db", f"sqlite:///{tmp_path}/s.db",
                 "--now", SAMPLE_NOW)
    assert result.exit_code == 0, result.stderr
    assert f"warning: {tmp_path / 'old.json'}: claim {enc['claim_id']} written: 302 days " \
           "after the date of service, past commercial's timely filing limit of 180 days" \
           in result.stderr
    assert out.exists()


def test_validate_an_835_and_refuse_a_999_without_st03(tmp_path: Path) -> None:
    src = tmp_path / "r.835"
    src.write_text(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*SPRDERM01      *260310*1200*^*"
        "00501*000000007*0*P*:~\nGS*HP*PAYER*SPRDERM01*20260310*1200*7*X*005010X221A1~\n"
        "ST*835*0001~\nSE*2*0001~\nGE*1*7~\nIEA*1*000000007~\n")
    checked = run("validate", str(src))
    assert checked.exit_code == 1  # pyx12 passes an empty 835; our check does not
    assert "transaction set 835 has no BPR segment" in checked.stdout
    assert f"{src}: 835, 6 segments:" in checked.stdout
    refused = run("validate", str(src), "--ack", str(tmp_path / "r.999"))
    assert refused.exit_code == 2
    assert "cannot write a 999 for this file: its ST segment has no ST03" in refused.stderr
    assert "Traceback" not in refused.output
