"""The one anatomic-site vocabulary and its CPT site group per procedure family.

Every family groups the body differently (excision/shave three groups, Mohs two, simple
repair two, intermediate three, complex four); the mapping lives in
`coding/data/site_groups.csv`. A site a family cannot place (e.g. `face` for a complex
repair, whose groups split the face) yields None: callers report an error, never guess.
"""

from __future__ import annotations

from coding.tables import site_group_table

__all__ = ["SITES", "SITE_FAMILIES", "site_group", "is_site", "group_sites"]

SITE_FAMILIES: tuple[str, ...] = (
    "excision",
    "shave",
    "mohs",
    "repair_simple",
    "repair_intermediate",
    "repair_complex",
)
"""Families whose codes depend on the site group (columns of site_groups.csv)."""

# Families whose CPT groups are another family's: adjacent tissue transfer 14000–14061 groups
# the body exactly as complex repair does (trunk | scalp, arms, legs | forehead, cheeks, chin,
# mouth, neck, axillae, genitalia, hands, feet | eyelids, nose, ears, lips — CPT descriptors).
ALIASES = {"adjacent_tissue_transfer": "repair_complex"}


def _sites() -> tuple[str, ...]:
    return tuple(site_group_table())


SITES: tuple[str, ...] = _sites()
"""The site vocabulary every encounter uses, in table order."""


def is_site(site: object) -> bool:
    return isinstance(site, str) and site in site_group_table()


def site_group(family: str, site: str | None) -> str | None:
    """The CPT site group letter of `site` for `family`, or None when the site is missing,
    unknown, or not placeable in that family (the caller reports which). `family` is one of
    SITE_FAMILIES; "repair" + complexity is also accepted as e.g. "repair_complex"."""
    family = ALIASES.get(family, family)
    if family not in SITE_FAMILIES:
        raise ValueError(f"unknown site family {family!r}; expected one of {SITE_FAMILIES}")
    if not is_site(site):
        return None
    assert site is not None
    return site_group_table()[site][family]


def group_sites(family: str, group: str) -> tuple[str, ...]:
    """The vocabulary sites in one family's group (for messages and tests)."""
    return tuple(s for s, fams in site_group_table().items() if fams.get(family) == group)
