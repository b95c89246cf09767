"""Column types and table pieces shared by the models."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, Index, text


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


def unique_where(index_name: str, *columns: str, where: str) -> Index:
    """A unique index over the rows matching ``where``: a partial index on both databases
    (e.g. names unique among live rows, so a soft-deleted name can be used again)."""
    return Index(
        index_name,
        *columns,
        unique=True,
        sqlite_where=text(where),
        postgresql_where=text(where),
    )


class LabelledEnum(enum.Enum):
    """An enum whose members are ``name = ("value", _l("Label"))``: stored by value, shown by
    their translated label, so a lifecycle or category and its wording sit on one line."""

    def __new__(cls, value: str, label):
        member = object.__new__(cls)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return str(self._label)
