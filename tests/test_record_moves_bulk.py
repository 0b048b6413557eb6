"""`record_moves` in bulk (issue 24): the moves of a whole load in a few statements, with
the same results as one checked move at a time: each allowed move leaves its history row
(its own note when given), a move the table does not allow leaves the denial as it is, the
columns given per denial are set, and Denial objects the session held read the new status."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import col, select

from dermclaim.cli import main
from reconcile.denials.lifecycle import history, moves, record_moves
from reconcile.store.database import session_scope
from reconcile.store.remit_models import Denial

ROOT = Path(__file__).resolve().parent.parent
WHEN = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


def _store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'moves.db'}"
    r = CliRunner().invoke(main, ["remit", "load", str(ROOT / "samples" / "remit.835"),
                                  "--db", url])
    assert r.exit_code in (0, 1), r.output
    return url


def test_bulk_moves_match_one_at_a_time_rules(tmp_path: Path) -> None:
    url = _store(tmp_path)
    with session_scope(url) as s:
        ids = [d for d in s.exec(select(Denial.id).order_by(col(Denial.id)))]
        assert len(ids) >= 3, "the sample 835 has denials"
        first, second, third = ids[0], ids[1], ids[2]
        held = s.get(Denial, first)  # an object the session holds before the move
        assert held is not None and held.status == "open"
        # the third cannot move open -> upheld (not in the table), the others can overturn
        assert ("open", "overturned") in moves() and ("open", "upheld") not in moves()
        moved = record_moves(
            s, [second, first, first], "overturned", actor="remit load", note="shared",
            notes={first: "paid 10.00 by b.835 (matched by line_control_number)"},
            values={first: {"recovered_amount": Decimal("10.00"),
                            "overturned_by_claim_row_id": 7}},
            remit_file_id=None, now=WHEN)
        assert moved == 2  # a denial named twice moves once
        assert record_moves(s, [third], "upheld", actor="remit load", now=WHEN) == 0
        assert held.status == "overturned"  # expired, re-read: not the stale "open"
        assert held.recovered_amount == Decimal("10.00")
        assert held.overturned_by_claim_row_id == 7
        other = s.get(Denial, second)
        assert other is not None and other.recovered_amount is None
        assert s.get(Denial, third).status == "open"  # type: ignore[union-attr]
        # moving again is not allowed (overturned -> overturned): nothing changes
        assert record_moves(s, [first], "overturned", actor="remit load", now=WHEN) == 0
        rows = history(s, [first, second, third])
    assert [(h.from_status, h.to_status, h.actor, h.note) for h in rows[first]] == [
        ("open", "overturned", "remit load",
         "paid 10.00 by b.835 (matched by line_control_number)")]
    assert [(h.to_status, h.note) for h in rows[second]] == [("overturned", "shared")]
    assert rows[third] == []
    assert rows[first][0].at.replace(tzinfo=UTC) == WHEN


def test_superseded_sets_the_flag_and_nothing_to_move_is_no_statement(tmp_path: Path) -> None:
    url = _store(tmp_path)
    with session_scope(url) as s:
        did = s.exec(select(Denial.id).order_by(col(Denial.id))).first()
        assert record_moves(s, [], "superseded", actor="remit load") == 0
        assert record_moves(s, [10**9], "superseded", actor="remit load") == 0  # no such row
        assert record_moves(s, [did], "superseded", actor="remit load", now=WHEN) == 1
        d = s.get(Denial, did)
        assert d is not None and (d.status, d.superseded) == ("superseded", True)
