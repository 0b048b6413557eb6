"""`dermclaim remit show` (an 835 file as a readable summary or as JSON, no store) and
`dermclaim remit load` (835 files posted into the store).

Thin adapters over `edi.x835.reader.iter_835_path` (streaming: large files print as they
are read), `edi.x835.export` and `reconcile.remit.load`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from dermclaim.cli import remit
from dermclaim.cli._common import (
    DB_OPTION,
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    CliError,
    echo_err,
    user_errors,
)
from dermclaim.cli._io import EXIT_EPILOG, display_name, open_store, shown, stdin_inputs
from dermclaim.cli._text import money_json, plural
from edi.x835.export import adjustment_text, money, remark_text, to_dict
from edi.x835.model import ClaimPayment, ClaimStatus, RemittanceHeader, RemittanceTrailer
from edi.x835.reader import iter_835_path

_STATUS = {s.value: s.name.lower().replace("_", " ") for s in ClaimStatus}


@remit.command("show", epilog=EXIT_EPILOG)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (money as strings, ISO dates).")
@click.option("--strict", is_flag=True,
              help="Refuse control numbers that differ (SE02/GE02/IEA02) instead of flagging them.")
def show(file: Path, as_json: bool, strict: bool) -> None:
    """Show an 835 remittance: payments, claims, lines, adjustments with their CARC/RARC
    meanings, provider adjustments (PLB) and findings (defects, balancing).

    \b
    Example:
      dermclaim remit show samples/remit.835
      dermclaim remit show samples/remit.835 --json | jq '.transactions[0].claims[0]'
      cat answers/today.835 | dermclaim remit show -
    """
    name = display_name(file)
    with stdin_inputs([file]) as (path,), user_errors():
        assert path is not None
        items = iter_835_path(path, strict=strict)
        chunks = _json_chunks(name, items) if as_json else _text_lines(name, items)
        try:
            for chunk in chunks:
                click.echo(shown(chunk), nl=not as_json)
            if as_json:
                click.echo()
        except BrokenPipeError:  # `remit show big.835 | head`: the reader left, stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _json_chunks(file: str, items: Iterator[object]) -> Iterator[str]:
    """One JSON document written as the file streams: {"file", "transactions": [...]}."""
    yield '{"file": ' + json.dumps(str(file)) + ', "transactions": ['
    first_transaction = True
    first_claim = True
    for item in items:
        if isinstance(item, RemittanceHeader):
            yield ("" if first_transaction else ", ") + '{"header": '
            yield json.dumps(to_dict(item)) + ', "claims": ['
            first_transaction, first_claim = False, True
        elif isinstance(item, ClaimPayment):
            yield ("" if first_claim else ", ") + json.dumps(to_dict(item))
            first_claim = False
        elif isinstance(item, RemittanceTrailer):
            yield '], "trailer": ' + json.dumps(to_dict(item)) + "}"
    yield "]}"


def _text_lines(file: str, items: Iterator[object]) -> Iterator[str]:
    yield f"{file}"
    for item in items:
        if isinstance(item, RemittanceHeader):
            yield from _header_lines(item)
        elif isinstance(item, ClaimPayment):
            yield from _claim_lines(item)
        elif isinstance(item, RemittanceTrailer):
            yield from _trailer_lines(item)


def _header_lines(h: RemittanceHeader) -> Iterator[str]:
    p = h.payment
    sign = "-" if p.credit_debit == "D" else ""
    yield ""
    yield (f"Transaction {h.control_number} (segment {h.segment_number}), interchange "
           f"{h.envelope.interchange_control_number}, {h.envelope.version}")
    yield f"  payer  {h.payer.name}" + (f" ({h.payer.id})" if h.payer.id else "")
    payee_id = f" ({h.payee.id_qualifier} {h.payee.id})" if h.payee.id else ""
    yield f"  payee  {h.payee.name.strip()}{payee_id}"
    yield (f"  payment {sign}{money(p.amount)} {p.method} on {p.date or 'unknown date'}, "
           f"trace {p.trace_number} (handling {p.handling_code})")


def _claim_lines(c: ClaimPayment) -> Iterator[str]:
    status = _STATUS.get(c.status, "unknown status")
    yield (f"  claim {c.patient_control_number}  {c.status} {status}  charge {money(c.charge)}"
           f"  paid {money(c.paid)}  patient {money(c.patient_responsibility)}"
           f"  payer claim {c.payer_claim_number}  (segment {c.segment_number})")
    for a in c.adjustments:
        yield f"      claim adj {adjustment_text(a.group, a.reason, a.amount)}"
    if c.remarks:
        yield "      remarks " + "; ".join(remark_text(r.code) for r in c.remarks)
    for line in c.service_lines:
        code = ":".join([line.code, *line.modifiers])
        recode = ""
        if line.original_code:
            recode = f"  (billed {':'.join([line.original_code, *line.original_modifiers])}"
            recode += f" x{line.original_units})" if line.original_units is not None else ")"
        when = line.service_date.isoformat() if line.service_date else "no date"
        yield (f"    line {code} x{line.units}  {when}  charge {money(line.charge)}"
               f"  paid {money(line.paid)}  allowed {money(line.allowed)}"
               f"  ref {line.control_number or '-'}{recode}")
        for a in line.adjustments:
            yield f"        {adjustment_text(a.group, a.reason, a.amount)}"
        for r in line.remarks:
            yield f"        remark {remark_text(r.code)}"


def _trailer_lines(t: RemittanceTrailer) -> Iterator[str]:
    from reconcile.remit.plb import plb_meaning

    for plb in t.provider_adjustments:
        items = "; ".join(f"{i.reason} {i.reference} {money(i.amount)}".replace("  ", " ")
                          + f" ({plb_meaning(i.reason).split(' (')[0]})" for i in plb.items)
        yield f"  provider adjustment {plb.provider_id} {plb.fiscal_period_end or ''}: {items}"
    yield (f"  totals: {plural(t.claim_count, 'claim')}, {plural(t.line_count, 'line')}, "
           f"paid {money(t.total_paid)}, adjusted {money(t.total_adjusted)}, "
           f"{plural(t.segment_count, 'segment')}")
    if not t.findings:
        yield "  findings: none"
        return
    yield f"  findings ({len(t.findings)}):"
    for f in t.findings:
        where = f"segment {f.segment_number} {f.segment_id or ''}".strip()
        claim = f" claim {f.claim}" if f.claim else ""
        yield f"    [{f.kind.value}] {where}{claim}: {f.message}"


@remit.command("load", epilog=EXIT_EPILOG)
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print what was loaded as JSON (see the README's JSON shapes).")
@DB_OPTION
def load_cmd(files: tuple[Path, ...], as_json: bool, db: str | None) -> None:
    """Load 835 files into the store: matched to what was sent, denials classified.

    Each file loads in one transaction (all or nothing) and only once: the same file again
    is reported as already loaded and changes nothing (exit 0). A file that cannot be read
    as an 835 is reported on stderr and skipped while the others load (exit 2); payments
    whose trace number was already posted differently need your decision (exit 1). FILE
    '-' reads stdin.

    \b
    Example:
      dermclaim remit load samples/remit.835 --db sqlite:///dermclaim.db
      cat answers/today.835 | dermclaim remit load - --json
    """
    with stdin_inputs(list(files)) as paths:
        _load([p for p in paths if p is not None], as_json, db)


def _load(files: list[Path], as_json: bool, db: str | None) -> None:
    from reconcile.remit.load import LoadProgress, load_remittance_files

    sizes = {str(f): (f.stat().st_size if f.is_file() else 0) for f in files}
    total = sum(sizes.values())
    done_before = {"bytes": 0}
    show = total > 2_000_000  # a bar only when the load takes more than a moment
    open_store(db, create=True)
    with user_errors(), click.progressbar(length=max(total, 1), label="loading 835",
                                          file=sys.stderr,
                                          hidden=not show) as bar:
        last = {"pos": 0}

        def progress(p: LoadProgress) -> None:
            pos = done_before["bytes"] + (sizes.get(p.path, 0) if p.done else p.bytes_read)
            if p.done:
                done_before["bytes"] += sizes.get(p.path, 0)
            bar.update(max(pos - last["pos"], 0))
            last["pos"] = max(pos, last["pos"])

        summary = load_remittance_files(list(files), db, progress=progress)
    for line in summary.failure_lines():
        echo_err(shown(line))
    if as_json:
        click.echo(json.dumps(remit_load_json(summary), indent=2))
    else:
        for line in summary.lines(failures=False):
            click.echo(shown(line))
    if summary.stopped:
        raise CliError(f"{summary.stopped}; the load stopped there", EXIT_BAD_INPUT)
    if not summary.ok:
        raise CliError("some files were not loaded (see above)", EXIT_BAD_INPUT)
    if summary.needs_attention:
        raise CliError("payments with a trace number already posted differently need your "
                       "decision (see above; `dermclaim remit void` removes the wrong one)",
                       EXIT_FINDINGS)


def remit_load_json(summary: Any) -> dict[str, Any]:
    """`remit load --json`: each file's outcome and the totals over the files loaded."""
    items = []
    for f in summary.files:
        items.append({
            "file": shown(f.path), "status": f.status, "message": shown(f.message) or None,
            "transactions": f.transactions, "claims": f.claims, "lines": f.lines,
            "lines_matched": f.lines_matched, "lines_unmatched": f.lines_unmatched,
            "denials": dict(sorted(f.denials.items())),
            "denied_amount": money_json(f.denied_amount), "paid": money_json(f.paid),
            "plb": money_json(f.plb), "received": money_json(f.received),
            "findings": ([{"kind": "duplicate_payment", "message": m} for m in f.duplicates]
                         + [{"kind": "trace_conflict", "message": m} for m in f.conflicts]
                         + [{"kind": "out_of_balance", "message": m}
                            for m in f.out_of_balance]),
        })
    totals = summary.totals.as_dict() if summary.totals is not None else None
    return {"items": items, "totals": totals,
            "counts": {s: sum(f.status == s for f in summary.files)
                       for s in ("loaded", "already_loaded", "failed")}}
