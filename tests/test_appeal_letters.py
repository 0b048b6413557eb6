"""Appeal letters (`dermclaim appeal`): one letter per claim and level built from the store,
arguing each cause with the rule behind the line, quoting the CARC/RARC as received and
listing what to attach; Medicare's 405.944 elements, the commercial guide's appeal address,
escaping, a practice's own template, --sent, a second level after upheld, refusals, and
what happens without a store."""

from __future__ import annotations

import csv
import json
import stat
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from remit_helpers import add_submitted

from coding.encounter import parse_encounter
from coding.engine import code_encounter
from dermclaim.cli import main
from edi.practice import PracticeError, load_practice
from edi.x835.answers import (
    build_remittance,
    claim_payment,
    deny,
    pay,
    reduce,
    remittance_text,
)
from reconcile.appeals.facts import arguments

ROOT = Path(__file__).resolve().parent.parent
ENCOUNTERS = ROOT / "samples" / "encounters"
PRACTICE = ROOT / "samples" / "practice.toml"
PAID_ON = date(2026, 4, 10)
AS_OF = "2026-05-01"
HOSTILE = "<script>alert(1)</script>"


def _run(*args: str, code: int = 0) -> str:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    return r.stdout if "--json" in args else r.output  # JSON on stdout, warnings on stderr


def _submit(url: str, name: str, claim_id: str, **changes: dict) -> object:  # type: ignore[type-arg]
    """Record a sample encounter as sent (coded by the engine, priced by the sample fees)."""
    data = json.loads((ENCOUNTERS / name).read_text())
    data["claim_id"] = claim_id
    for key, value in changes.get("top", {}).items():
        data[key] = value
    for i, proc in changes.get("procedures", {}).items():
        data["procedures"][i].update(proc)
    for key, value in changes.get("patient", {}).items():
        data["patient"][key] = value
    enc = parse_encounter(data, f"{claim_id}.json")
    fees = load_practice(PRACTICE).fee_schedule
    coded = code_encounter(enc, fees=fees)
    mods = changes.get("mods", {})
    lines = [(ln.code, mods.get(ln.code, ln.modifiers), ln.units, str(ln.charge), ln.procedure)
             for ln in coded.lines]
    return add_submitted(url, claim_id, lines, payer=enc.payer, dos=enc.date_of_service,
                         encounter=data)


def _load(url: str, tmp: Path, name: str, claims: list, payer: str = "medicare") -> None:  # type: ignore[type-arg]
    payer_name, payer_id = (("MEDICARE PART B", "12502") if payer == "medicare"
                            else ("COMMERCIAL HEALTH PLAN", "60054"))
    f = tmp / name
    f.write_text(remittance_text([build_remittance(
        claims, payer_name=payer_name, payer_id=payer_id, payment_date=PAID_ON,
        trace_number=f"T{f.stem}")]))
    _run("remit", "load", str(f), "--db", url)


def _flat(path: Path) -> str:
    """The letter's text with line breaks and runs of spaces as one space (wrapping)."""
    return " ".join(path.read_text().split())


def _answers(b: object, special: dict) -> list:  # type: ignore[type-arg]
    return [special.get(ln.code, pay)(ln) for ln in b.lines]  # type: ignore[attr-defined]


def _store(url: str, tmp: Path) -> dict[str, int]:
    """Medicare: a missing 25 + a count cut (AP-1), a bundled biopsy at a distinct site
    (AP-2), a duplicate (AP-4); commercial: a cosmetic denial with documented symptoms
    (AP-3). Returns denial id by line control number."""
    a = _submit(url, "01-em25-biopsies.json", "AP-1", patient={"first_name": HOSTILE},
                mods={"99214": ()})
    b = _submit(url, "17-biopsy-and-ak-destruction-distinct-sites.json", "AP-2")
    d = _submit(url, "13-benign-premalignant-destruction-same-day.json", "AP-5")
    dup = _submit(url, "02-ak-destruction-16.json", "AP-4")
    _load(url, tmp, "medicare.835", [
        claim_payment(a, _answers(a, {"99214": lambda ln: deny(ln, "CO", "97", "M15")}),
                      payer_claim_number="ICN-AP1"),
        claim_payment(b, _answers(b, {"11104": lambda ln: deny(ln, "CO", "97", "N20")}),
                      payer_claim_number="ICN-AP2"),
        claim_payment(d, _answers(d, {"17003": lambda ln: reduce(
            ln, "CO", "151", Decimal("36.00"), "N362")}), payer_claim_number="ICN-AP5"),
        claim_payment(dup, _answers(dup, {"17004": lambda ln: deny(ln, "CO", "18")}),
                      payer_claim_number="ICN-AP4")])
    c = _submit(url, "07-cosmetic-sk-patient-pay.json", "AP-3",
                procedures={1: {"cosmetic": False,
                                "medical_necessity": "bleeding and irritated by the waistband"}})
    shave = next(ln.code for ln in c.lines if ln.code.startswith("113"))  # type: ignore[attr-defined]
    _load(url, tmp, "commercial.835", [
        claim_payment(c, _answers(c, {shave: lambda ln: deny(ln, "CO", "96", "N383")}),
                      payer_claim_number="ICN-AP3")], payer="commercial")
    rows = json.loads(_run("denials", "--status", "all", "--json", "--db", url))
    return {r["line_control_number"]: r["denial_id"] for r in rows} | {
        f"cause:{r['line_control_number']}": r["cause"] for r in rows}


def _appeal(url: str, out: Path, *ids: object, code: int = 0, extra: tuple = ()) -> str:  # type: ignore[type-arg]
    return _run("appeal", *map(str, ids), "-o", str(out), "--practice", str(PRACTICE),
                "--as-of", AS_OF, "--db", url, *extra, code=code)


def test_letters_argue_each_cause_with_its_rule(store_url: str, tmp_path: Path) -> None:
    ids = _store(store_url, tmp_path)
    assert ids["cause:AP-1-1"] == "missing_25" and ids["cause:AP-2-1"] == "bundling"
    assert ids["cause:AP-5-2"] == "count"
    cosmetic = next(k for k, v in ids.items() if k.startswith("cause:AP-3") and v == "cosmetic")
    out = tmp_path / "letters"
    _appeal(store_url, out, ids["AP-1-1"], ids["AP-2-1"], ids["AP-5-2"],
            ids[cosmetic.removeprefix("cause:")])
    names = sorted(p.name for p in out.iterdir())
    assert names == ["AP-1-redetermination.html", "AP-1-redetermination.txt",
                     "AP-2-redetermination.html", "AP-2-redetermination.txt",
                     "AP-3-first_level.html", "AP-3-first_level.txt",
                     "AP-5-redetermination.html", "AP-5-redetermination.txt"]
    for p in out.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600

    # missing 25: the visit's own diagnosis against the procedures', the 25 rule, CARC quoted
    t = _flat(out / "AP-1-redetermination.txt")
    assert "CO-97 " in t and "RARC M15" in t
    assert "significant, separately identifiable" in t and "L30.9" in t and "D49.2" in t
    assert "Modifier 25 was left off" in t and "NCCI Policy Manual for Medicare Services ch. I" in t
    assert "30.6.6" in t and "visit note (history, examination and medical decision" in t
    assert "pathology report" in t
    # Medicare: 42 CFR 405.944(b) elements
    assert "REQUEST FOR REDETERMINATION" in t and "405.944(b)" in t
    assert f"Beneficiary name: {HOSTILE} Okafor" in t  # plain text is not escaped
    assert "Medicare number: 1EG4TE5MK73" in t and "99214" in t and "2026-03-02" in t
    assert "Why the determination is wrong" in t
    assert "SPRINGFIELD DERMATOLOGY ASSOCIATES PC, NPI 1234567893" in t
    assert "Sincerely" in t and "Maren Lindqvist" in t and "Lindqvist, NPI 1647382914" in t
    assert "Address of the Medicare contractor as printed on the remittance notice" in t
    assert "last day 2026-08-08" in t  # 120 days from the remittance of 2026-04-10
    # HTML escapes a hostile value
    h = (out / "AP-1-redetermination.html").read_text()
    assert HOSTILE not in h and "&lt;script&gt;alert(1)&lt;/script&gt;" in h
    assert "@page" in h and "size: letter" in h

    # bundling: the PTP pair and indicator, distinct sites, the line's XS
    t = _flat(out / "AP-2-redetermination.txt")
    assert "CO-97 " in t and "RARC N20" in t
    assert "17000/11104" in t and "modifier indicator 1" in t
    assert "treated back" in t and "scalp" in t and "modifier XS" in t
    assert "SE1418" in t and "procedure note for each service naming the site" in t

    # count: documented units against the MUE and its indicator (the guide's override)
    t = _flat(out / "AP-5-redetermination.txt")
    assert "CO-151 36.00" in t and "RARC N362" in t
    assert "4 unit(s) of 17003" in t and "13 unit(s) per date of service" in t
    assert "companion guide medicare" in t and "adjudication indicator" in t
    assert "count of lesions" in t

    # cosmetic, commercial: symptoms against the LCD, the guide's appeal address
    t = _flat(out / "AP-3-first_level.txt")
    assert "RARC N383" in t and "CO-96 " in t
    assert "bleeding and irritated by the waistband" in t and "L35498" in t
    assert "ATTN: PROVIDER APPEALS" in t and "PO BOX 0000" in t
    # ... which is the guide's example: flagged in the letter (highlighted in the HTML)
    assert "is the companion guide's example, not the payer's" in t
    html = (out / "AP-3-first_level.html").read_text()
    assert '<span class="missing">[The address above is the companion guide' in html
    assert "companion guide's example" not in _flat(out / "AP-1-redetermination.txt")
    assert "Member ID:" in t and "Medicare number" not in t
    assert "clinical photos of the lesion before removal" in t
    assert "PROVIDER APPEAL - FIRST LEVEL" in t
    # drafts: nothing moved
    rows = json.loads(_run("denials", "--status", "all", "--json", "--db", store_url))
    assert {r["status"] for r in rows} == {"open"}
    # and --json says so: the placeholder address is no usable address
    r = CliRunner().invoke(main, ["appeal", str(ids[cosmetic.removeprefix("cause:")]), "-o",
                                  str(tmp_path / "again"), "--practice", str(PRACTICE),
                                  "--as-of", AS_OF, "--db", store_url, "--json"])
    assert r.exit_code == 0 and "example (placeholder)" in r.stderr
    letter = json.loads(r.stdout)["letters"][0]
    assert letter["address_placeholder"] is True and letter["address_missing"] is True


def test_sent_moves_to_appealed_and_a_second_level_follows_upheld(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    ids = _store(url, tmp_path)
    did = ids["AP-2-1"]
    out = tmp_path / "l"
    printed = _appeal(url, out, did, extra=("--sent", "--by", "akim", "--on", "2026-05-02",
                                            "--json"))
    report = json.loads(printed)
    assert report["moved_to_appealed"] == [did] and not report["refused"]
    assert report["letters"][0]["level"] == "redetermination"
    assert report["letters"][0]["html"].endswith("AP-2-redetermination.html")
    shown = json.loads(_run("denial", "show", str(did), "--json", "--db", url))
    assert shown["status"] == "appealed" and shown["appeal_level"] == "redetermination"
    assert [(h["from"], h["to"], h["by"], h["level"], h["on"]) for h in shown["history"]] == [
        ("open", "appealed", "akim", "redetermination", "2026-05-02")]
    assert "open -> appealed  by akim level redetermination on 2026-05-02" in _run(
        "denial", "show", str(did), "--db", url)

    # appealed and not yet decided: no next-level letter (it would appeal no decision)
    r = CliRunner().invoke(main, ["appeal", str(did), "-o", str(tmp_path / "early"),
                                  "--practice", str(PRACTICE), "--db", url])
    assert r.exit_code == 1 and "awaiting its decision" in r.output, r.output
    assert not (tmp_path / "early").exists()
    _run("denial", "set", str(did), "--status", "upheld", "--on", "2026-06-01", "--db", url)
    _appeal(url, out, did)
    t = _flat(out / "AP-2-reconsideration.txt")
    assert "REQUEST FOR RECONSIDERATION" in t and "405.964(b)" in t
    assert "2026-11-28" in t  # 180 days from the recorded decision
    # past the window: still written, with a good-cause request
    r = CliRunner().invoke(main, ["appeal", str(did), "-o", str(out), "--practice",
                                  str(PRACTICE), "--as-of", "2027-01-15", "--db", url])
    assert r.exit_code == 0, r.output
    assert "PAST THE WINDOW" in r.output and "past the 180-day window" in r.stderr
    t = _flat(out / "AP-2-reconsideration.txt")
    assert "FILED AFTER THE TIME LIMIT" in t and "405.962(b)" in t
    # draft again: status untouched
    assert json.loads(_run("denial", "show", str(did), "--json", "--db", url))["status"] == "upheld"


def test_one_letter_per_claim_and_level_lists_each_item(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    a = _submit(url, "01-em25-biopsies.json", "AP-7", mods={"99214": ()})
    _load(url, tmp_path, "r.835", [claim_payment(a, _answers(a, {
        "99214": lambda ln: deny(ln, "CO", "97"),
        "11103": lambda ln: reduce(ln, "CO", "151", Decimal("50.00"), "N362")}),
        payer_claim_number="ICN-AP7")])
    rows = json.loads(_run("denials", "--json", "--db", url))
    assert len(rows) == 2
    out = tmp_path / "l"
    _appeal(url, out, *[r["denial_id"] for r in rows])
    assert sorted(p.name for p in out.iterdir()) == ["AP-7-redetermination.html",
                                                     "AP-7-redetermination.txt"]
    t = (out / "AP-7-redetermination.txt").read_text()
    assert "\n1. 99214" in t and "\n2. 11103" in t


def test_refusal_for_a_cause_no_appeal_can_argue(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    ids = _store(url, tmp_path)
    out = tmp_path / "l"
    printed = _appeal(url, out, ids["AP-4-1"], ids["AP-2-1"], code=1)
    assert f"denial {ids['AP-4-1']} (claim AP-4, duplicate): not appealed" in printed
    assert "claims status" in printed
    assert sorted(p.name for p in out.iterdir()) == ["AP-2-redetermination.html",
                                                     "AP-2-redetermination.txt"]
    printed = _appeal(url, tmp_path / "none", ids["AP-4-1"], code=1)
    assert not (tmp_path / "none").exists()
    out_unknown = _appeal(url, tmp_path / "x", 99999, code=1)
    assert "no denial 99999" in out_unknown and not (tmp_path / "x").exists()


def test_a_practice_template_and_signature_are_used(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    ids = _store(url, tmp_path)
    (tmp_path / "head.html").write_text(
        "<html><body><h1>OUR LETTERHEAD</h1><p>{{ beneficiary_name }}</p>"
        "{% for i in items %}<p>{{ i.argument }}</p>{% endfor %}"
        "<p>{{ signer_name }}, {{ signer_title }}</p></body></html>")
    (tmp_path / "plain.txt").write_text("PLAIN {{ claim_id }} {{ signer_name }}\n")
    practice = tmp_path / "practice.toml"
    practice.write_text(PRACTICE.read_text() + '\n[letters]\ntemplate_html = "head.html"\n'
                        'template_text = "plain.txt"\nsigner_name = "Dr. Ana Ruiz"\n'
                        'signer_title = "Medical Director"\nphone = "217-555-0199"\n')
    out = tmp_path / "l"
    _run("appeal", str(ids["AP-1-1"]), "-o", str(out), "--practice", str(practice),
         "--db", url)
    h = (out / "AP-1-redetermination.html").read_text()
    assert "OUR LETTERHEAD" in h and "Dr. Ana Ruiz, Medical Director" in h
    assert HOSTILE not in h and "&lt;script&gt;" in h  # a practice's .html is autoescaped too
    assert (out / "AP-1-redetermination.txt").read_text() == "PLAIN AP-1 Dr. Ana Ruiz\n"
    # a template error writes nothing
    (tmp_path / "head.html").write_text("{{ no_such_name }}")
    out2 = tmp_path / "l2"
    printed = _run("appeal", str(ids["AP-1-1"]), "-o", str(out2), "--practice", str(practice),
                   "--db", url, code=1)
    assert "head.html" in printed and "letter template error" in printed
    assert not out2.exists() or not any(out2.iterdir())


def test_letters_table_is_checked_naming_file_and_key(tmp_path: Path) -> None:
    p = tmp_path / "p.toml"
    p.write_text(PRACTICE.read_text() + '\n[letters]\nsigner_name = 5\n'
                 'template_html = "missing.html"\ncolour = "blue"\n')
    with pytest.raises(PracticeError) as exc:
        load_practice(p)
    text = str(exc.value)
    assert str(p) in text and "letters.signer_name: must be non-empty text" in text
    assert "letters.template_html: no file at" in text and "letters.colour: unknown" in text


def test_no_store_is_exit_2_and_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/none.db"
    r = CliRunner().invoke(main, ["appeal", "1", "-o", str(tmp_path / "l"), "--practice",
                                  str(PRACTICE), "--db", url])
    # exit 2 (store unusable) and "no store at ...", as denials, worklist and report say it
    assert r.exit_code == 2 and "no store at" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "l").exists()


def test_argument_table_covers_every_cause() -> None:
    text = (ROOT / "reconcile" / "denials" / "data" / "denial_actions.csv").read_text()
    causes = {r["cause"] for r in csv.DictReader(
        ln for ln in text.splitlines() if not ln.startswith("#"))}
    rows = arguments()
    assert causes <= set(rows)
    for key, arg in rows.items():
        assert arg.source, key
        if arg.appealable:
            assert arg.argument and arg.rule and arg.attachments, key
        else:
            assert arg.refusal.startswith("not appealed"), key


def test_help_explains_sent() -> None:
    out = _run("appeal", "--help")
    assert "--sent" in out and "drafts" in out and "Example:" in out
    assert "appeal" in _run("--help")


def test_an_upheld_appeal_stores_the_next_level_and_its_deadline(tmp_path: Path) -> None:
    """Issue 18: after `appealed` then `upheld --on DATE`, every view shows the next level
    and its deadline counted from the decision, the one the letter states; the live appeal
    stays in the default worklist after the first level's window."""
    url = f"sqlite:///{tmp_path}/s.db"
    ids = _store(url, tmp_path)
    did = ids["AP-2-1"]
    first = json.loads(_run("denial", "show", str(did), "--json", "--db", url))
    assert first["next_level"] is None
    _run("denial", "set", str(did), "--status", "appealed", "--on", "2026-05-02", "--db", url)
    _run("denial", "set", str(did), "--status", "upheld", "--on", "2026-06-20", "--db", url)
    due = (date(2026, 6, 20) + timedelta(days=180)).isoformat()  # 42 CFR 405.962
    assert due == "2026-12-17"
    shown = json.loads(_run("denial", "show", str(did), "--json", "--db", url))
    assert (shown["appeal_deadline"], shown["next_level"], shown["appeal_level"]) == (
        due, "reconsideration", "redetermination")
    assert f"appeal deadline {due} (reconsideration)" in _run("denial", "show", str(did),
                                                              "--db", url)
    row = next(r for r in json.loads(_run("denials", "--json", "--db", url))
               if r["denial_id"] == did)
    assert (row["appeal_deadline"], row["next_level"]) == (due, "reconsideration")
    # past the redetermination window (120 days from the remittance), still live work
    assert first["appeal_deadline"] < "2026-09-01"
    _run("worklist", "-o", str(tmp_path / "w.csv"), "--as-of", "2026-09-01", "--db", url)
    with (tmp_path / "w.csv").open() as fh:
        work = {r["denial_id"]: r for r in csv.DictReader(fh)}
    assert work[str(did)]["section"] == "live"
    assert (work[str(did)]["appeal_deadline"], work[str(did)]["next_level"]) == (
        due, "reconsideration")
    _run("report", "-o", str(tmp_path / "r.html"), "--as-of", "2026-09-01", "--db", url)
    html = (tmp_path / "r.html").read_text()
    assert "upheld (next: reconsideration)" in html and due in html
    # the letter `appeal` writes states the same level and deadline
    printed = json.loads(_appeal(url, tmp_path / "l", did, extra=("--json",)))
    assert (printed["letters"][0]["level"], printed["letters"][0]["deadline"]) == (
        "reconsideration", due)
    # appealed at that level: it is the level appealed at now, no next step until decided
    _run("denial", "set", str(did), "--status", "appealed", "--on", "2026-07-01", "--db", url)
    after = json.loads(_run("denial", "show", str(did), "--json", "--db", url))
    assert (after["appeal_level"], after["next_level"]) == ("reconsideration", None)
