"""One action per line (issue 18): what `denials` prints for a line and what `correct`
and `appeal` do with it come from one decision (reconcile/denials/actions.py). A line
returned unprocessable (CO-16 with MA130) has no appeal rights: all three say "send it
again as a new claim", whatever other remark codes come with it."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from dermclaim.cli import main
from edi.x835.model import Adjustment
from reconcile.denials.actions import NEW_CLAIM, NO_APPEAL, is_unprocessable
from reconcile.denials.classify import SentLine, classify_adjustments

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
PRACTICE = str(SAMPLES / "practice.toml")


def _run(*args: str, code: int = 0, stdout: bool = False) -> str:
    """What the command printed (stdout and stderr; only stdout with `stdout`, for JSON)."""
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    return r.stdout if stdout else r.output


def test_the_decision() -> None:
    assert is_unprocessable(["16"], ["M53", "MA130"])
    assert not is_unprocessable(["16"], ["M53"]) and not is_unprocessable(["50"], ["MA130"])
    line = SentLine("J3301", (), date(2026, 10, 1))
    for remarks in (("MA130",), ("M127", "MA130"), ("MA130", "M119")):
        k = classify_adjustments([Adjustment("CO", "16", Decimal("12.00"))], remarks, line)
        assert k is not None and k.action == NEW_CLAIM, remarks
    # without MA130 the cause's own action stands (a reopening with the record for M127)
    k = classify_adjustments([Adjustment("CO", "16", Decimal("12.00"))], ("M127",), line)
    assert k is not None and "reopening" in k.action


def test_denials_correct_and_appeal_agree_on_an_unprocessable_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    encounters = sorted(str(p) for p in (SAMPLES / "encounters").glob("*.json"))
    _run("claims", *encounters, "--practice", PRACTICE, "-o", str(tmp_path / "c.837"),
         "--now", "2026-03-31T12:00:00", "--db", url)
    _run("remit", "load", str(SAMPLES / "remit.835"), "--db", url)
    rows = json.loads(_run("denials", "--json", "--db", url))
    returned = [r for r in rows if "MA130" in r["evidence"] and "CO-16" in r["evidence"]]
    assert returned, "the sample 835 returns DC-1005's J3301 unprocessable"
    for r in returned:
        assert r["action"] == NEW_CLAIM
    # correct without new documentation: no appeal advice, the same step
    out = _run("correct", "-o", str(tmp_path / "x.837"), "--practice", PRACTICE, "--db", url)
    for r in returned:
        said = next(ln for ln in out.splitlines() if r["line_control_number"] in ln)
        assert "new claim" in said and "appeal with" not in said, said
    # appeal refuses it for the same reason, and writes no letter
    printed = json.loads(_run("appeal", *(str(r["denial_id"]) for r in returned), "-o",
                              str(tmp_path / "letters"), "--practice", PRACTICE, "--json",
                              "--db", url, code=1, stdout=True))
    assert {x["reason"] for x in printed["refused"]} == {NO_APPEAL}
    assert printed["letters"] == [] and not (tmp_path / "letters").exists()


def test_a_correction_is_worded_for_the_payers_route(tmp_path: Path) -> None:
    """Medicare Part B takes no corrected claims (route `reopening`): `denials` says to
    request a reopening, as `correct` does for it; a commercial payer keeps the corrected
    claim."""
    from reconcile.denials.actions import correction_route, route_action
    from reconcile.denials.classify import cause_actions

    assert (correction_route("medicare"), correction_route("commercial")) == (
        "reopening", "replacement")
    assert correction_route("no such payer") is None
    default = cause_actions()["missing_25"].action
    assert "corrected claim" in default
    said = route_action(default, "missing_25", "medicare")
    assert "reopening" in said and "corrected claim" not in said
    assert route_action(default, "missing_25", "commercial") == default
    assert route_action(NEW_CLAIM, "missing_information", "medicare") == NEW_CLAIM
    # a rule action that is no correction stays as it is
    appeal = "Appeal with the visit note"
    assert route_action(appeal, "missing_25", "medicare") == appeal
    # on the samples: no Medicare denial tells to send a corrected claim
    url = f"sqlite:///{tmp_path}/s.db"
    encounters = sorted(str(p) for p in (SAMPLES / "encounters").glob("*.json"))
    _run("claims", *encounters, "--practice", PRACTICE, "-o", str(tmp_path / "c.837"),
         "--now", "2026-03-31T12:00:00", "--db", url)
    _run("remit", "load", str(SAMPLES / "remit.835"), "--db", url)
    rows = json.loads(_run("denials", "--status", "all", "--json", "--db", url))
    medicare = [r for r in rows if r["payer"] == "medicare"]
    assert medicare and not any("corrected claim" in r["action"].lower() for r in medicare)


def test_the_route_table_names_known_routes_and_causes() -> None:
    from companion_guides.routes import CORRECTION_ROUTES
    from reconcile.corrections.correct import CORRECTABLE
    from reconcile.denials.actions import _route_actions
    from reconcile.denials.classify import CAUSES

    rows = _route_actions()
    assert rows
    for (route, cause), action in rows.items():
        assert route in CORRECTION_ROUTES and cause in CAUSES and action.strip()
        assert cause in CORRECTABLE  # only what `correct` can fix is worded by route
