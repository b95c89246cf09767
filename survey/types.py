"""Column types shared by the models."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def value_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """An enum stored by its value in a VARCHAR, guarded by a named CHECK constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        values_callable=lambda members: [member.value for member in members],
        length=max(len(member.value) for member in enum_class),
        validate_strings=True,
    )
