"""What every edit reads: the encounter, the payer's guide and the tables in force."""

from __future__ import annotations

from attrs import frozen

from coding.edits.ncci_file import PtpTable
from coding.model import Encounter
from companion_guides import Guide

__all__ = ["EditContext"]


@frozen
class EditContext:
    encounter: Encounter
    guide: Guide
    ptp: PtpTable
