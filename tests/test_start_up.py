"""Start-up of a one-encounter `dermclaim code`: a family's rules load when the family has a
procedure to code, and each lazy rule is its module's `code`."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

from coding.rules import FAMILIES, _module_rule

ROOT = Path(__file__).resolve().parent.parent
FAMILY_MODULES = ("area", "biopsy", "destruction", "excision", "flap", "injection", "mohs",
                  "other", "pathology", "phototherapy", "repair", "shave")


def test_each_family_row_runs_its_module_code() -> None:
    names = [rule.__name__.removesuffix(".code") for _, rule, _ in FAMILIES]
    assert sorted(names) == sorted(FAMILY_MODULES)
    for name in names:
        module = importlib.import_module(f"coding.rules.{name}")
        assert _module_rule(name) is module.code


def _rule_modules_after(code: str) -> set[str]:
    script = (f"import json, sys\n{code}\n"
              "print(json.dumps(sorted(m for m in sys.modules if m.startswith('coding.rules.'))))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_engine_loads_no_family_before_it_codes_one() -> None:
    loaded = _rule_modules_after("import coding.engine")
    assert not loaded & {f"coding.rules.{m}" for m in FAMILY_MODULES}


def test_an_encounter_loads_the_families_it_documents() -> None:
    sample = ROOT / "samples" / "encounters" / "01-em25-biopsies.json"
    loaded = _rule_modules_after(
        "from coding.encounter import load_encounters\n"
        "from coding.engine import code_encounter\n"
        f"[code_encounter(e) for e in load_encounters({str(sample)!r})]")
    assert "coding.rules.biopsy" in loaded
    assert not loaded & {"coding.rules.mohs", "coding.rules.drugs", "coding.rules.area"}
