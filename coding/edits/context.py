"""What every edit reads: the encounter, the payer's guide and the tables in force."""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen

from coding.edits.ncci_file import PtpTable
from coding.edits.tables import Mue, mue_table
from coding.history import PriorService
from coding.model import Encounter
from companion_guides import Guide

__all__ = ["EditContext"]


@frozen
class EditContext:
    encounter: Encounter
    guide: Guide
    ptp: PtpTable
    mue: Mapping[str, Mue] = field(factory=mue_table)
    history: tuple[PriorService, ...] = ()  # the patient's earlier services (coding.history)
