"""Where the data folders shipped with the app are: ``templates`` and ``questionnaires``."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """A top-level data folder (``templates``, ``questionnaires``): beside the package in a
    checkout, inside it (as ``_<name>``) in an installed wheel."""
    checkout = PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    return PACKAGE_DIR / f"_{name}"
