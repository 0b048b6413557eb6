"""How a payer takes a correction and an appeal: the guide's `correction_route` and its
`[[appeal_levels]]`, checked into frozen records.

`correction_route`:
* `replacement`: a claim already adjudicated is corrected by a new 837P with CLM05-3 = 7
  (replacement) or 8 (void) and REF*F8 = the payer's claim control number (CLP07).
  Commercial payers and Availity work this way (X12 005010X222A1, 2300 REF*F8).
* `reopening`: every submission is a new claim; a processed claim is changed by a reopening
  request (clerical errors, CMS Claims Processing Manual (Pub. 100-04) ch. 34 §10) or by an
  appeal. Medicare Part B MACs work this way (Noridian JF Part B "Reopenings"; 42 CFR
  405.980). A claim returned unprocessable (CO-16 with MA130) has no appeal rights: it is
  fixed and sent again as a new original claim (CMS Pub. 100-04 ch. 1 §80.3; NGS Medicare
  "Unprocessable Claim Rejections and Corrections").

Each appeal level has a name, a window in days, what the window counts from
(`initial_determination`: the remittance / notice of the initial determination;
`previous_level`: the decision of the level before) and its source.
"""

from __future__ import annotations

from typing import Any, NamedTuple

CORRECTION_ROUTES = ("replacement", "reopening")
COUNTED_FROM = ("initial_determination", "previous_level")


class AppealLevel(NamedTuple):  # a record: ~0.1 ms to define, an attrs class ~0.4 ms
    name: str  # "redetermination", "reconsideration", "first_level" ...
    days: int  # filing window
    counted_from: str  # one of COUNTED_FROM
    source: str  # the rule or guide page that sets the window


def check_routes(values: dict[str, Any], problems: list[str]) -> None:
    """Check `correction_route` and turn `appeal_levels` into AppealLevel records (in
    place); each problem names the key, as the rest of the loader does."""
    route = values.get("correction_route")
    if route not in CORRECTION_ROUTES:
        problems.append(f"correction_route: must be one of {', '.join(CORRECTION_ROUTES)}, "
                        f"got {route!r}")
    raw = values.get("appeal_levels") or []
    levels: list[AppealLevel] = []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        where = f"appeal_levels[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a table with name, days, counted_from, source")
            continue
        unknown = sorted(set(item) - {"name", "days", "counted_from", "source"})
        problems += [f"{where}.{k}: unknown setting" for k in unknown]
        name, days = item.get("name"), item.get("days")
        counted, source = item.get("counted_from", "previous_level" if i else
                                   "initial_determination"), item.get("source")
        bad = False
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name: must be text")
            bad = True
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3650:
            problems.append(f"{where}.days: must be a whole number of days (1 to 3650)")
            bad = True
        if counted not in COUNTED_FROM:
            problems.append(f"{where}.counted_from: must be one of {', '.join(COUNTED_FROM)}")
            bad = True
        if not isinstance(source, str) or not source.strip():
            problems.append(f"{where}.source: must say where the window comes from")
            bad = True
        if not bad and isinstance(days, int):
            levels.append(AppealLevel(str(name), days, str(counted), str(source)))
    names = [lv.name for lv in levels]
    if len(set(names)) != len(names):
        problems.append("appeal_levels: each level needs its own name")
    if levels and levels[0].counted_from != "initial_determination":
        problems.append("appeal_levels[0].counted_from: the first level counts from the "
                        "initial determination")
    window = values.get("appeal_window_days")
    if levels and isinstance(window, int) and levels[0].days != window:
        problems.append(f"appeal_levels[0].days: {levels[0].days} differs from "
                        f"appeal_window_days ({window})")
    if not levels and isinstance(window, int) and not isinstance(window, bool):
        levels.append(AppealLevel("first_level", window, "initial_determination",
                                  "appeal_window_days of this guide"))
    values["appeal_levels"] = tuple(levels)
