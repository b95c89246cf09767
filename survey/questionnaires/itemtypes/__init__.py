"""The question-type registry (STYLE rule 9). Every consumer asks an item's type, never its
name: the schema (which keys a file may give, their checks, the parsed fields), the answering
page (the partial template that draws it), reading a posted answer, reading a cell of a paper
import, the export's cell, the results' figures and the demo's synthetic answers.

Adding a type is one class with ``@register`` in a module of this package (named in the
import below), its partial under ``templates/questionnaires/items/``, and its tests; nothing
else names it.

Stored values (``Answer.value``) are text: see each type's ``read``.

The package: ``base`` (the ``ItemType`` protocol and the registry), then one module per type
family; importing this package registers them all.
"""

from survey.questionnaires.itemtypes import choice, rating, score, text
from survey.questionnaires.itemtypes.base import (
    ABSENT,
    CELL_SEPARATORS,
    CONTROL_CHARACTERS,
    DEFAULT_TEXT_LENGTH,
    DONT_KNOW_VALUE,
    ITEM_TYPES,
    MULTIPLE_SEPARATOR,
    AnswerError,
    DemoRespondent,
    ItemType,
    Option,
    Scale,
    parse_scale,
    register,
    split_multiple,
)
from survey.questionnaires.itemtypes.rating import ASPECTS

# The type modules register their types on import: they are named here so that they load
# with the registry, whoever imports it.
TYPE_MODULES = (choice, rating, score, text)

__all__ = [
    "ABSENT",
    "ASPECTS",
    "CELL_SEPARATORS",
    "CONTROL_CHARACTERS",
    "DEFAULT_TEXT_LENGTH",
    "DONT_KNOW_VALUE",
    "ITEM_TYPES",
    "MULTIPLE_SEPARATOR",
    "AnswerError",
    "DemoRespondent",
    "ItemType",
    "Option",
    "Scale",
    "TYPE_MODULES",
    "parse_scale",
    "register",
    "split_multiple",
]
