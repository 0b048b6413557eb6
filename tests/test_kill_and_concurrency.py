"""Real processes, killed and raced: SIGKILL `claims`, `remit load` and `correct` at random
moments and in the window between the store commit and the file rename; run `claims` and
`remit load` two and four at a time on SQLite and PostgreSQL. Whatever happens: all or
nothing, the rerun completes (saying what it recovered), each claim is sent once, nothing
is lost or doubled, control numbers never repeat, no hidden temporary is left.

Rounds: DERMCLAIM_KILL_ROUNDS random kills per command (default 1, for CI); the seed is
DERMCLAIM_KILL_SEED (default 12). `pytest -s` prints the tallies.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
PRACTICE = SAMPLES / "practice.toml"
NOW = "2026-03-31T12:00:00"
ROUNDS = int(os.environ.get("DERMCLAIM_KILL_ROUNDS", "1"))
RNG = random.Random(int(os.environ.get("DERMCLAIM_KILL_SEED", "12")))
ENCOUNTERS = [str(p) for p in sorted((SAMPLES / "encounters").glob("*.json"))[:4]]

# Runs the CLI; DERMCLAIM_TEST_PAUSE="<point>=<marker file>" makes it stop (marker written,
# then sleeping until killed) at one of the points a crash is hardest on.
WRAPPER = r"""
import os, sys, time
spec = os.environ.get("DERMCLAIM_TEST_PAUSE")
if spec:
    point, marker = spec.split("=", 1)
    def hold(*args, **kwargs):
        open(marker, "w").close()
        time.sleep(600)
    if point == "rename":  # store committed, file not yet renamed into place
        import edi.x837p.submit as m
        m.put_in_place = hold
    elif point == "written":  # renamed, not yet marked written
        import reconcile.store.submissions as m
        m.mark_written = hold
from dermclaim.cli import main
main(sys.argv[1:], prog_name="dermclaim")
"""

TALLY: dict[str, list[str]] = {}


def _tally(name: str, outcome: str) -> None:
    TALLY.setdefault(name, []).append(outcome)


@pytest.fixture(scope="module", autouse=True)
def _print_tallies():  # type: ignore[no-untyped-def]
    yield
    for name, outcomes in sorted(TALLY.items()):
        counts = {o: outcomes.count(o) for o in sorted(set(outcomes))}
        print(f"\n[kill/concurrency] {name}: {len(outcomes)} runs {counts}")


def start(args: Sequence[str], cwd: Path, pause: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "DERMCLAIM_LOCK_TIMEOUT": "300"}
    env.pop("DERMCLAIM_TEST_PAUSE", None)
    if pause:
        env["DERMCLAIM_TEST_PAUSE"] = pause
    return subprocess.Popen([sys.executable, "-c", WRAPPER, *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(p: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = p.communicate(timeout=600)
    assert "Traceback" not in err, err
    return p.returncode, out, err


def run(args: Sequence[str], cwd: Path) -> tuple[int, str, str]:
    return finish(start(args, cwd))


def kill_at(p: subprocess.Popen[str], delay: float) -> bool:
    """SIGKILL after `delay` seconds; False when it had already finished."""
    try:
        p.wait(timeout=delay)
        p.communicate()
        return False
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        p.communicate()
        return True


def kill_when(p: subprocess.Popen[str], marker: Path) -> None:
    while not marker.exists():
        assert p.poll() is None, p.communicate()
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)
    p.communicate()


def rows(url: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def fresh_store(url: str, cwd: Path) -> None:
    """The store built before the processes start (they race on the work, not on the
    schema)."""
    from reconcile.store.database import dispose_all, get_engine

    get_engine(url)
    dispose_all()


def copy_store(template: Path, folder: Path) -> str:
    """A copy of a closed SQLite store (no -wal left once its last user exited)."""
    folder.mkdir()
    shutil.copyfile(template, folder / "dermclaim.db")
    return f"sqlite:///{folder / 'dermclaim.db'}"


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    fresh_store(f"sqlite:///{folder / 'dermclaim.db'}", folder)
    return folder / "dermclaim.db"


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ------------------------------------------------------------------------- claims, killed


def claims_args(url: str, out: Path) -> list[str]:
    return ["claims", *ENCOUNTERS, "--practice", str(PRACTICE), "-o", str(out), "--db", url,
            "--now", NOW]


def check_sent_once(url: str, out: Path, expected: int) -> None:
    keys = [k for (k,) in rows(url, "SELECT submission_key FROM submitted_claim") if k]
    assert len(keys) == len(set(keys)) == expected
    ics = rows(url, "SELECT control_number, state, file_hash, file_path FROM interchange")
    assert [state for _, state, _, _ in ics] == ["written"] * len(ics)
    assert len({n for n, _, _, _ in ics}) == len(ics)  # ISA13 never repeated
    (n, _, digest, path), = ics  # killed-and-recovered or rerun: one file with every claim
    assert Path(path) == out.resolve()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
    assert out.read_text().count("\nCLM*") == expected
    assert hidden(out.parent) == []  # no .tmp, no .bak


def _claims_kill_round(tmp: Path, template: Path, name: str, *, pause: str | None = None,
                       delay: float | None = None) -> None:
    folder = tmp / name
    url = copy_store(template, folder)
    out = folder / "out" / "claims.837"
    marker = folder / "paused"
    p = start(claims_args(url, out), folder, pause=f"{pause}={marker}" if pause else None)
    if pause:
        kill_when(p, marker)
        killed = True
    else:
        assert delay is not None
        killed = kill_at(p, delay)
    writing = rows(url, "SELECT count(*) FROM interchange WHERE state = 'writing'")[0][0]
    recorded = rows(url, "SELECT count(*) FROM submitted_claim")[0][0]
    assert recorded in (0, len(ENCOUNTERS))  # all or nothing
    code, _out, err = run(claims_args(url, out), folder)
    if writing:
        assert "recovered: interchange 000000001" in err
        assert code == 1 and f"all {len(ENCOUNTERS)} encounters were held" in err
        outcome = "recovered"
    elif recorded:
        assert code == 1
        outcome = "finished before the kill" if not killed else "committed before the kill"
    else:
        assert code == 0, err
        outcome = "nothing recorded, rerun sent all"
    check_sent_once(url, out, len(ENCOUNTERS))
    _tally("claims killed", outcome)


def test_claims_killed_between_commit_and_rename(tmp_path: Path, empty_store: Path) -> None:
    _claims_kill_round(tmp_path, empty_store, "rename", pause="rename")


def test_claims_killed_between_rename_and_written(tmp_path: Path, empty_store: Path) -> None:
    _claims_kill_round(tmp_path, empty_store, "written", pause="written")


def test_claims_killed_at_random_moments(tmp_path: Path, empty_store: Path) -> None:
    url = copy_store(empty_store, tmp_path / "clean")
    start_t = time.monotonic()
    assert run(claims_args(url, tmp_path / "clean" / "c.837"), tmp_path)[0] == 0
    length = time.monotonic() - start_t
    for n in range(ROUNDS):
        _claims_kill_round(tmp_path, empty_store, f"r{n}", delay=RNG.uniform(0.3, length))


# ---------------------------------------------------------------------- remit load, killed


def big_835(path: Path, claims: int, seed: int) -> int:
    """An 835 of `claims` claim payments (half with a denied line); returns its denials."""
    from edi.x835.answers import (
        BilledClaim,
        BilledLine,
        build_remittance,
        claim_payment,
        deny,
        pay,
        remittance_text,
    )

    dos = date(2026, 10, 1)
    payments = []
    for i in range(claims):
        billed = BilledClaim(f"K{seed}-{i}", "", dos, (
            BilledLine("", "99213", (), 1, Decimal("120.00"), dos),
            BilledLine("", "11102", (), 1, Decimal("150.00"), dos)))
        second = deny(billed.lines[1], "CO", "97") if i % 2 else pay(billed.lines[1])
        payments.append(claim_payment(billed, [pay(billed.lines[0]), second],
                                      payer_claim_number=f"ICN{seed}{i:06d}"))
    path.write_text(remittance_text([build_remittance(
        payments, payer_name="SOME PLAN", payer_id="99999", payment_date=date(2026, 10, 20),
        trace_number=f"EFT{seed}")]))
    return claims // 2


def test_remit_load_killed_at_random_moments(tmp_path: Path, empty_store: Path) -> None:
    remit = tmp_path / "big.835"
    denials = big_835(remit, 800, 1)
    clean = tmp_path / "clean"
    url = copy_store(empty_store, clean)
    t0 = time.monotonic()
    assert run(["remit", "load", str(remit), "--db", url], clean)[0] == 0
    length = time.monotonic() - t0
    expected = rows(url, "SELECT count(*) FROM remit_claim")[0][0]
    assert expected == 800
    for n in range(ROUNDS + 1):
        folder = tmp_path / f"r{n}"
        url = copy_store(empty_store, folder)
        killed = kill_at(start(["remit", "load", str(remit), "--db", url], folder),
                         RNG.uniform(0.3, length))
        files, claims = rows(url, "SELECT (SELECT count(*) FROM remit_file), "
                                  "(SELECT count(*) FROM remit_claim)")[0]
        assert (files, claims) in ((0, 0), (1, expected))  # all of the file or none of it
        code, out, _ = run(["remit", "load", str(remit), "--db", url], folder)
        assert code == 0
        assert ("files: 0 loaded, 1 already loaded" in out) == bool(files)
        assert rows(url, "SELECT (SELECT count(*) FROM remit_file), (SELECT count(*) FROM "
                         "remit_claim), (SELECT count(*) FROM denial)")[0] == (1, expected,
                                                                               denials)
        _tally("remit load killed", "loaded before the kill" if files or not killed
               else "nothing written, rerun loaded")


# ------------------------------------------------------------------------- correct, killed


def test_correct_killed_at_random_moments(tmp_path: Path) -> None:
    from test_correct import _setup

    from reconcile.store.database import dispose_all

    (tmp_path / "template").mkdir()
    template = tmp_path / "template" / "s.db"
    _setup(tmp_path / "template", f"sqlite:///{template}", payer="commercial")  # replacements
    dispose_all()

    def store(name: str) -> tuple[Path, str]:
        url = copy_store(template, tmp_path / name)
        return tmp_path / name, url

    def args(url: str, out: Path) -> list[str]:
        return ["correct", "-o", str(out), "--practice", str(PRACTICE), "--db", url]

    folder, url = store("clean")
    t0 = time.monotonic()
    code, _, err = run(args(url, folder / "c.837"), folder)
    length = time.monotonic() - t0
    assert code in (0, 1), err
    sent = rows(url, "SELECT count(*) FROM submitted_claim WHERE frequency = '7'")[0][0]
    corrected = rows(url, "SELECT count(*) FROM denial WHERE corrected_in IS NOT NULL")[0][0]
    assert sent >= 1 and corrected >= 1
    for n in range(ROUNDS):
        folder, url = store(f"r{n}")
        out = folder / "c.837"
        killed = kill_at(start(args(url, out), folder), RNG.uniform(0.3, length))
        done = rows(url, "SELECT count(*) FROM submitted_claim WHERE frequency = '7'")[0][0]
        marked = rows(url, "SELECT count(*) FROM denial WHERE corrected_in IS NOT NULL")[0][0]
        assert (done, marked) in ((0, 0), (sent, corrected))  # replacement with its denials
        run(args(url, out), folder)
        assert rows(url, "SELECT count(*) FROM submitted_claim WHERE frequency = '7'")[0][0] \
            == sent
        assert rows(url, "SELECT count(*) FROM denial WHERE corrected_in IS NOT NULL")[0][0] \
            == corrected
        assert hidden(folder) == []
        _tally("correct killed", "committed before the kill" if done or not killed
               else "nothing recorded, rerun corrected")


# ------------------------------------------------------------------------ ack load, killed


def test_ack_load_killed_at_random_moments(tmp_path: Path, empty_store: Path) -> None:
    from datetime import datetime

    from ack_helpers import accepted, answer_277, answer_999, sent

    from reconcile.store.database import dispose_all

    base = tmp_path / "template"
    url = copy_store(empty_store, base)
    assert run(claims_args(url, base / "c.837"), base)[0] == 0
    files = [base / "a.999", base / "a.277"]
    files[0].write_text(answer_999(url, {}, when=datetime(2026, 3, 31, 13, 0)))
    files[1].write_text(answer_277([(c, [accepted(date(2026, 4, 1))]) for c in sent(url)],
                                   when=datetime(2026, 4, 1, 8, 0)))
    dispose_all()

    def store(name: str) -> tuple[Path, str, list[Path]]:
        return tmp_path / name, copy_store(base / "dermclaim.db", tmp_path / name), files

    def counts(url: str) -> tuple[int, int]:
        return rows(url, "SELECT (SELECT count(*) FROM ack_file), "
                         "(SELECT count(*) FROM ack_answer)")[0]

    folder, url, files = store("clean")
    t0 = time.monotonic()
    assert run(["ack", "load", *map(str, files), "--db", url], folder)[0] == 0
    length = time.monotonic() - t0
    full = counts(url)
    per_file = dict(rows(url, "SELECT f.file_name, count(a.id) FROM ack_file f JOIN ack_answer"
                              " a ON a.file_id = f.id GROUP BY f.file_name"))
    for n in range(ROUNDS):
        folder, url, files = store(f"r{n}")
        kill_at(start(["ack", "load", *map(str, files), "--db", url], folder),
                RNG.uniform(0.3, length))
        loaded, answers = counts(url)
        names = [r[0] for r in rows(url, "SELECT file_name FROM ack_file")]
        assert answers == sum(per_file[x] for x in names)  # whole files only
        assert run(["ack", "load", *map(str, files), "--db", url], folder)[0] == 0
        assert counts(url) == full
        _tally("ack load killed", f"{loaded} of 2 files loaded before the kill")


# ------------------------------------------------------------------------ running at once


@pytest.mark.parametrize("runs", [2, 4])
def test_concurrent_claims_send_each_claim_once(store_url: str, tmp_path: Path,
                                                runs: int) -> None:
    fresh_store(store_url, tmp_path)
    procs = [start(claims_args(store_url, tmp_path / f"o{n}" / "c.837"), tmp_path)
             for n in range(runs)]
    results = [finish(p) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0] + [1] * (runs - 1), results
    held_all = f"all {len(ENCOUNTERS)} encounters were held"
    assert sum(held_all in err for _, _, err in results) == runs - 1
    keys = [k for (k,) in rows(store_url, "SELECT submission_key FROM submitted_claim")]
    assert len(keys) == len(set(keys)) == len(ENCOUNTERS)
    written = [f for f in tmp_path.glob("o*/c.837")]
    assert len(written) == 1 and written[0].read_text().count("\nCLM*") == len(ENCOUNTERS)
    backend = store_url.split(":", 1)[0].split("+")[0]
    _tally(f"claims x{runs} at once ({backend})",
           f"sent once, {runs - 1} held all as already sent")


@pytest.mark.parametrize("same", [True, False], ids=["same-file", "different-files"])
def test_concurrent_loads(store_url: str, tmp_path: Path, same: bool) -> None:
    fresh_store(store_url, tmp_path)
    files = []
    for n in range(4):
        f = tmp_path / f"r{n}.835"
        big_835(f, 200, 0 if same else n + 10)
        files.append(f)
    procs = [start(["remit", "load", str(f), "--db", store_url], tmp_path) for f in files]
    results = [finish(p) for p in procs]
    assert all(code == 0 for code, _, _ in results), results
    loaded = sum("files: 1 loaded" in out for _, out, _ in results)
    already = sum("1 already loaded" in out for _, out, _ in results)
    assert (loaded, already) == ((1, 3) if same else (4, 0)), results
    claims = rows(store_url, "SELECT count(*), count(DISTINCT payer_claim_number) "
                             "FROM remit_claim")[0]
    assert claims == ((200, 200) if same else (800, 800))
    backend = store_url.split(":", 1)[0].split("+")[0]
    _tally(f"remit load x4 {'same file' if same else 'different files'} ({backend})",
           f"{loaded} loaded, {already} already loaded")

