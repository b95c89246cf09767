"""Statistics engine: ratings → 成效度 / 配合度 → composite, ranks and bands.

A pure library (numpy, pandas, scipy, networkx): it never imports flask, sqlalchemy or
``survey``. ``import analysis`` is light; the names below load their modules on first use.

    from analysis import EvaluationConfig, evaluate
    result = evaluate(responses, items, EvaluationConfig(), agencies=agencies)
    result.ranking, result.cells, result.explain(agency_id), result.config.to_json()

Methods, defaults and deviations from the reference: ``analysis/METHODS.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Evaluation", "EvaluationConfig", "ConfigError", "evaluate"]

_LAZY = {
    "Evaluation": "analysis.evaluation",
    "evaluate": "analysis.evaluation",
    "EvaluationConfig": "analysis.config",
    "ConfigError": "analysis.config",
}

if TYPE_CHECKING:  # pragma: no cover
    from analysis.config import ConfigError, EvaluationConfig
    from analysis.evaluation import Evaluation, evaluate


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
