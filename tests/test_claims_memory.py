"""`dermclaim claims` stays flat in memory as the batch grows (issue 21: 50,000 encounters
peaked at 968 MB; 20,000 at 384 MB against 149 MB for 5,000).

The reproduction, scaled to a test: the same batch sent with everything in memory and with
every list spooled to disk (coding.spool, a limit of a few claims) writes the same bytes and
records the same rows; and what the run keeps per claim, measured with tracemalloc between a
batch and one four times its size, is a few hundred bytes (the 837P text itself, offsets,
ids), not the claim's objects (~10 KB each)."""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from encounter_batch import make_encounters

import coding.spool as spool_module
import edi.validate as validate
import reconcile.store.submissions as submissions
from coding.batch import code_batch
from coding.encounter import load_encounters
from coding.spool import Encounters, Spool, View
from dermclaim.cli import main

ROOT = Path(__file__).resolve().parent.parent
PRACTICE = str(ROOT / "samples" / "practice.toml")
NOW = "2026-03-31T12:00:00"


# ------------------------------------------------------------------ the spool itself


@pytest.mark.parametrize("limit", [0, 3, 100])
def test_a_spool_reads_back_what_was_put_in(limit: int) -> None:
    items = [{"n": i, "text": "x" * i} for i in range(40)]
    with Spool(items, limit=limit) as s:
        assert s.spilled == (limit < 40)
        assert len(s) == 40
        assert list(s) == items
        assert [s[i] for i in (0, 17, 39, -1, -40)] == [items[i] for i in (0, 17, 39, -1, -40)]
        assert s[5:8] == items[5:8]
        with pytest.raises(IndexError):
            s[40]
        with pytest.raises(IndexError):
            s[-41]
        view = View(s, [39, 0, 7])
        assert list(view) == [items[39], items[0], items[7]] and view[1] == items[0]
        assert view == [items[39], items[0], items[7]] and len(view[1:]) == 2


def test_a_spool_iterates_items_larger_than_its_read_ahead(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setattr(spool_module, "_READ_AHEAD", 16)
    items = ["a" * 100, "b", "c" * 300, "d"]
    assert list(Spool(items, limit=0)) == items


def test_batch_coding_spooled_is_coding_in_memory(tmp_path: Path) -> None:
    """The date-of-service order and the batch history (a patient's earlier claims of the
    batch) are the same whether the batch sits in memory or on disk."""
    path = tmp_path / "batch.json"
    data = make_encounters(60, seed=5)
    for e in data[30:]:  # the same patients again, later: history crosses the spool
        e["patient"] = data[int(e["claim_id"].split("-")[-1]) % 30]["patient"]
    path.write_text(json.dumps(data))
    encounters = load_encounters(path)
    in_memory = code_batch(encounters)
    spooled = code_batch(Encounters(encounters, limit=4))
    assert isinstance(spooled, View)
    assert list(spooled) == list(in_memory)


# ------------------------------------------------------------------ the whole command


def _batch(tmp_path: Path, count: int, seed: int = 21) -> list[str]:
    files = []
    everything = make_encounters(count, seed=seed)
    for k in range(0, count, 150):  # several files, as a day's exports arrive
        path = tmp_path / f"enc-{k:05d}.json"
        path.write_text(json.dumps(everything[k:k + 150]))
        files.append(str(path))
    return files


def _claims(tmp_path: Path, name: str, files: list[str]) -> tuple[bytes, dict[str, list]]:
    out, db = tmp_path / f"{name}.837", tmp_path / f"{name}.db"
    result = CliRunner().invoke(main, ["claims", *files, "--practice", PRACTICE, "-o", str(out),
                                       "--db", f"sqlite:///{db}", "--now", NOW, "--json"],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    with sqlite3.connect(db) as con:
        rows = {table: con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                for table in ("submitted_claim", "submitted_line")}
        rows["interchange"] = con.execute(
            "SELECT control_number, file_hash, claim_count, line_count, total_charge, state "
            "FROM interchange").fetchall()
    shown = json.loads(result.stdout)
    assert shown.pop("file") == str(out)
    rows["json"] = [shown]
    return out.read_bytes(), rows


def test_a_spooled_run_writes_and_records_what_an_in_memory_run_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _batch(tmp_path, 400)
    monkeypatch.setenv("DERMCLAIM_VALIDATE_WORKERS", "2")
    monkeypatch.setattr(validate, "PARALLEL_FROM", 0)
    in_memory = _claims(tmp_path, "memory", files)
    monkeypatch.setattr(spool_module, "SPILL_FROM", 7)  # every list on disk past 7 items
    monkeypatch.setattr(validate, "CLAIMS_PER_PIECE", 45)  # pyx12 in nine pieces
    monkeypatch.setattr(submissions, "RECORD_CHUNK", 33)  # rows recorded 33 claims at a time
    spooled = _claims(tmp_path, "spooled", files)
    assert spooled[0] == in_memory[0]
    assert spooled[1] == in_memory[1]
    assert len(spooled[1]["submitted_claim"]) >= 390


def _untraced_piece(text: str) -> list[validate.ValidationFinding]:
    """pyx12 in a worker, which a fork would otherwise leave tracing (and crawling)."""
    tracemalloc.stop()
    return REAL_PIECE(text)


REAL_PIECE = validate._pyx12_piece


def _retained(tmp_path: Path, count: int, monkeypatch: pytest.MonkeyPatch,
              spill_from: int = 20) -> int:
    files = _batch(tmp_path, count, seed=count)
    monkeypatch.setattr(validate, "_pyx12_piece", _untraced_piece)
    monkeypatch.setattr(spool_module, "SPILL_FROM", spill_from)
    monkeypatch.setattr(validate, "CLAIMS_PER_PIECE", 50)
    monkeypatch.setattr(submissions, "RECORD_CHUNK", 50)
    args = ["claims", *files, "--practice", PRACTICE, "-o", str(tmp_path / "out.837"),
            "--db", f"sqlite:///{tmp_path}/s.db", "--now", NOW]
    runner = CliRunner()
    tracemalloc.start()
    try:
        result = runner.invoke(main, args, catch_exceptions=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code in (0, 1), result.output
    return peak


def test_memory_kept_per_claim_is_hundreds_of_bytes_not_the_claim(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Peak traced memory of the run (pyx12 in its worker processes), 150 and 600
    encounters: the 450 more may add ~3 KB each (the 837P text ~0.45 KB, its bytes and the
    pieces cut from it, ids and offsets), where objects held in memory cost ~10-20 KB."""
    monkeypatch.setenv("DERMCLAIM_VALIDATE_WORKERS", "2")
    monkeypatch.setattr(validate, "PARALLEL_FROM", 0)
    for name in ("warm", "a", "b"):
        (tmp_path / name).mkdir()
    _retained(tmp_path / "warm", 20, monkeypatch)  # what the first run imports is not kept
    small = _retained(tmp_path / "a", 150, monkeypatch)
    large = _retained(tmp_path / "b", 600, monkeypatch)
    per_claim = (large - small) / 450
    assert per_claim < 3_000, f"{per_claim:.0f} bytes kept per claim ({small}, {large})"


def test_parts_follow_the_claims_memory_or_disk(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A list of claims the caller holds is prepared in memory (pickling it would cost
    ~0.1 ms a claim for nothing); claims from a spilled spool are prepared into one."""
    from datetime import UTC, datetime

    from edi.practice import load_practice
    from edi.x837p.envelope import Parts
    from edi.x837p.submit import prepare

    monkeypatch.setattr(spool_module, "SPILL_FROM", 2)
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(make_encounters(6, seed=8)))
    encounters = load_encounters(path)
    fees = load_practice(Path(PRACTICE)).fee_schedule
    now = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    in_memory = prepare(code_batch(encounters, fees=fees), now)
    assert isinstance(in_memory.parts, tuple) and len(in_memory.parts) >= 6
    spooled = prepare(code_batch(Encounters(encounters), fees=fees), now)
    assert isinstance(spooled.parts, Parts) and spooled.parts.parts.spilled
    assert list(spooled.parts) == list(in_memory.parts)
