"""Envelope choices: the interchange receiver, test/production, and grouping."""

from __future__ import annotations

import attrs
import pytest
from claim_builders import NOW, claim, practice

from companion_guides import get_guide
from edi.errors import EdiError
from edi.x837p.envelope import (
    MAX_CLAIMS_PER_TRANSACTION,
    interchange_receiver,
    isa,
    plan,
    st_control,
    usage_indicator,
)
from edi.x837p.split import split_claim

MEDICARE, COMMERCIAL = get_guide("medicare"), get_guide("commercial")


def test_clearinghouse_is_the_interchange_receiver() -> None:
    assert interchange_receiver(practice(), [], [MEDICARE, COMMERCIAL]) == ("ZZ", "EXCLEARINGHSE")


def test_without_clearinghouse_one_shared_receiver_or_a_clear_error() -> None:
    p = attrs.evolve(practice(), clearinghouse=None)
    assert interchange_receiver(p, [], [MEDICARE, MEDICARE]) == ("ZZ", "12502")
    with pytest.raises(EdiError, match=r"payers commercial, medicare have different receivers"
                                       r".*\[clearinghouse\]"):
        interchange_receiver(p, [], [MEDICARE, COMMERCIAL])


def test_test_and_production_never_share_an_interchange() -> None:
    test_guide = attrs.evolve(COMMERCIAL, usage_indicator="T")
    assert usage_indicator([test_guide]) == "T"
    with pytest.raises(EdiError, match="separate runs"):
        usage_indicator([MEDICARE, test_guide])


def test_isa_is_fixed_width_and_refuses_overflow() -> None:
    text = isa(practice(), ("ZZ", "EXCLEARINGHSE"), 42, NOW, "P")
    assert len(text) == 105 and text.endswith("*000000042*0*P*:")
    with pytest.raises(EdiError, match="ISA13 has 9 digits"):
        isa(practice(), ("ZZ", "X1"), 1_000_000_000, NOW, "P")
    assert st_control(7) == "0007" and st_control(123456) == "123456"


def test_a_payer_over_5000_claims_gets_a_second_transaction() -> None:
    part = split_claim(claim())[0]
    parts = [(MEDICARE, part)] * (MAX_CLAIMS_PER_TRANSACTION + 1)
    (group,) = plan(parts)
    assert [len(t.parts) for t in group.transactions] == [5000, 1]
