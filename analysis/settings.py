"""The parts of :class:`analysis.config.EvaluationConfig`: one frozen, validated dataclass
per concern (scales, groups, quality rules, peer diagnostics, bootstrap) and the helpers that
validate them. Errors are :class:`ConfigError` naming the field's dotted path.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

ESTIMATORS = ("mean", "trimmed", "srm", "twoway", "twoway_if_partial")


class ConfigError(ValueError):
    """A setting is invalid; ``field`` is its dotted path."""

    def __init__(self, field_path: str, message: str):
        super().__init__(f"{field_path}: {message}" if field_path else message)
        self.field = field_path
        self.message = message

    def under(self, prefix: str) -> ConfigError:
        path = f"{prefix}.{self.field}" if self.field else prefix
        return ConfigError(path, self.message)


class FrozenMap(Mapping):
    """An immutable, hashable mapping that keeps insertion order (for frozen configs)."""

    __slots__ = ("_data",)

    def __init__(self, data=(), **kwargs):
        object.__setattr__(self, "_data", {**dict(data), **kwargs})

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __setattr__(self, name, value):
        raise AttributeError("FrozenMap is immutable")

    def __reduce__(self):
        return (FrozenMap, (list(self._data.items()),))

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


def _number(value, path: str, low=None, high=None, *, low_open=False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(path, f"must be a finite number, got {value!r}")
    value = float(value)
    if low is not None and (value < low or (low_open and value == low)):
        raise ConfigError(path, f"must be {'>' if low_open else '≥'} {low}, got {value}")
    if high is not None and value > high:
        raise ConfigError(path, f"must be ≤ {high}, got {value}")
    return value


def _integer(value, path: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(path, f"must be a whole number ≥ {low}, got {value!r}")
    return int(value)


def _choice(value, path: str, options) -> str:
    if value not in options:
        raise ConfigError(path, f"must be one of {', '.join(map(str, options))}; got {value!r}")
    return value


def _flag(value, path: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(path, f"must be true or false, got {value!r}")
    return value


def _name(value, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(path, f"must be a non-empty name, got {value!r}")
    return value


def _set(obj, **values) -> None:
    for key, value in values.items():
        object.__setattr__(obj, key, value)


@dataclass(frozen=True)
class Scale:
    """Answer → 0–100. ``linear``: ``100·(x−low)/(high−low)`` for the answers ``low``,
    ``low + step``, …, ``high`` (``step = 0``: any value in the range, a slider); ``table``:
    ``points`` lists ``(answer, score)`` pairs (a policy map such as 满意 100 / 基本满意 75 /
    不满意 55)."""

    kind: str = "linear"
    low: float = 1.0
    high: float = 5.0
    points: tuple[tuple[float, float], ...] = ()
    step: float = 1.0

    def __post_init__(self):
        _choice(self.kind, "kind", ("linear", "table"))
        low, high = _number(self.low, "low"), _number(self.high, "high")
        if self.kind == "linear" and not high > low:
            raise ConfigError("high", f"must exceed low ({low}), got {high}")
        step = _number(self.step, "step", 0)
        if self.kind == "linear" and step > 0 and not _whole((high - low) / step):
            raise ConfigError("step", f"must divide high − low ({high - low:g}), got {step:g}")
        try:
            pairs = tuple((p[0], p[1]) for p in self.points)
        except (TypeError, IndexError, KeyError) as exc:
            raise ConfigError("points", "must be a list of [answer, score] pairs") from exc
        pairs = tuple(
            (_number(a, f"points[{i}][0]"), _number(s, f"points[{i}][1]", 0, 100))
            for i, (a, s) in enumerate(pairs)
        )
        if self.kind == "table":
            answers = [a for a, _ in pairs]
            if len(answers) < 2 or len(set(answers)) != len(answers):
                raise ConfigError("points", "needs at least two distinct answers")
            pairs = tuple(sorted(pairs))
        _set(self, low=low, high=high, points=pairs, step=step)

    def answers(self) -> tuple[float, ...] | None:
        """Every valid answer, in order; None for a continuous (``step = 0``) linear scale."""
        if self.kind == "table":
            return tuple(a for a, _ in self.points)
        if self.step == 0:
            return None
        count = round((self.high - self.low) / self.step)
        return tuple(self.low + i * self.step for i in range(count + 1))

    def categories(self) -> tuple[float, ...] | None:
        """The 0–100 points of every valid answer (agreement statistics' categories)."""
        if self.kind == "table":
            return tuple(sorted({p for _, p in self.points}))
        answers = self.answers()
        if answers is None:
            return None
        scale = 100.0 / (self.high - self.low)  # the same arithmetic as scales.to_points
        return tuple((a - self.low) * scale for a in answers)


def _whole(value: float) -> bool:
    return abs(value - round(value)) <= 1e-9 * max(1.0, abs(value))


@dataclass(frozen=True)
class GroupConfig:
    """How one respondent group's ratings of an agency become one score.

    ``estimator``: ``mean``; ``trimmed``; ``srm`` (peer round robin, Social Relations Model
    with leniency removed); ``twoway`` (rater-adjusted two-way model) or ``twoway_if_partial``
    (two-way only when raters rate subsets). ``srm``/``twoway`` fall back to the trimmed mean
    when the design does not allow them. Trimming: ``trim_count`` g per side when set
    (``1`` = 去掉最高最低), else ``⌊trim·n⌋``; no trimming below ``trim_min_n``. For ``mean``
    the trim only shapes the reported ``trimmed_mean`` column. A score is marked low-confidence
    below ``min_n`` responses and, for the peer round robin, when fewer than ``min_share`` of
    the other agencies rated it (STATISTICS.md §2.5: 70 %). ``variance_prior_df``: for the
    ``mean``/``trimmed`` sampling variance, the weight (in degrees of freedom) of the group's
    pooled variance against the cell's own ``n − 1`` (``None``: pooled only);
    ``variance_trend``: that prior follows the bounded-score trend ``m(100 − m)`` at the
    cell's level instead of being one constant (METHODS.md §5). ``joint``: the group's cells
    take part in the joint shrinkage of an agency's cells (``shrinkage_model = "joint"``) —
    false for a source that is not a sample of raters (a verified self-assessment, an
    imported indicator): it neither borrows from the others nor lends to them.
    """

    estimator: str = "mean"
    trim: float = 0.1
    trim_count: int | None = None
    trim_min_n: int = 3
    min_n: int = 5
    speed_check: bool = True
    burst_check: bool = False
    min_share: float = 0.0
    variance_prior_df: float | None = 20.0
    variance_trend: bool = True
    joint: bool = True

    def __post_init__(self):
        _choice(self.estimator, "estimator", ESTIMATORS)
        trim = _number(self.trim, "trim", 0.0, 0.49)
        count = None if self.trim_count is None else _integer(self.trim_count, "trim_count")
        _set(
            self,
            trim=trim,
            trim_count=count,
            trim_min_n=_integer(self.trim_min_n, "trim_min_n"),
            min_n=_integer(self.min_n, "min_n", 1),
            min_share=_number(self.min_share, "min_share", 0, 1),
        )
        if self.variance_prior_df is not None:
            _set(self, variance_prior_df=_number(self.variance_prior_df, "variance_prior_df", 0))
        _flag(self.speed_check, "speed_check")
        _flag(self.burst_check, "burst_check")
        _flag(self.variance_trend, "variance_trend")
        _flag(self.joint, "joint")


@dataclass(frozen=True)
class QualityConfig:
    """Response-quality rules (STATISTICS.md §4.4); flagged rows are kept, excluded by rule.

    too fast: ``duration < max(seconds_per_item·items asked, median_ratio·group median)``;
    straight-line: every answer identical over ≥ ``straightline_min_items`` answers *and*
    ``duration < straightline_median_ratio·median``; burst: an agency's hourly count ``x`` with
    ``P(X ≥ x | λ̂) < burst_p`` (Poisson, ``λ̂`` the agency's median non-empty hour) and
    ``x ≥ burst_min_count``. ``exclude`` lists flags that exclude a response (``*`` = any);
    a response carrying ``keep_flag`` (a supervisor's review) is never excluded.
    """

    seconds_per_item: float = 3.0
    median_ratio: float = 0.3
    straightline_min_items: int = 4
    straightline_median_ratio: float = 0.5
    burst_p: float = 1e-4
    burst_min_count: int = 10
    exclude: tuple[str, ...] = ("*",)
    keep_flag: str = "reviewed"
    min_answered_share: float = 0.5
    # "refuse": rows equal in every column but response_id are an input error (a response
    # submitted twice); "allow": the caller guarantees each row is its own response (the web
    # app's submission keys do), so identical paper questionnaires stay separate responses.
    duplicates: str = "refuse"

    def __post_init__(self):
        if isinstance(self.exclude, str) or not all(isinstance(f, str) for f in self.exclude):
            raise ConfigError("exclude", "must be a list of flag names")
        _set(
            self,
            seconds_per_item=_number(self.seconds_per_item, "seconds_per_item", 0),
            median_ratio=_number(self.median_ratio, "median_ratio", 0, 1),
            straightline_min_items=_integer(
                self.straightline_min_items, "straightline_min_items", 2
            ),
            straightline_median_ratio=_number(
                self.straightline_median_ratio, "straightline_median_ratio", 0, 1
            ),
            burst_p=_number(self.burst_p, "burst_p", 0, 1, low_open=True),
            burst_min_count=_integer(self.burst_min_count, "burst_min_count", 1),
            exclude=tuple(self.exclude),
            keep_flag=_name(self.keep_flag, "keep_flag"),
            min_answered_share=_number(self.min_answered_share, "min_answered_share", 0, 1),
            duplicates=_choice(self.duplicates, "duplicates", ("refuse", "allow")),
        )


@dataclass(frozen=True)
class PeerConfig:
    """Peer-review manipulation diagnostics (STATISTICS.md §4.1)."""

    max_missing: float = 0.2
    reciprocity_z: float = 3.0
    top_pairs: int = 10
    clique_z: float = 2.0
    clique_min_size: int = 3
    permutations: int = 199
    rival_z: float = -3.0
    leniency_z: float = 3.0
    alpha: float = 0.05

    def __post_init__(self):
        _set(
            self,
            max_missing=_number(self.max_missing, "max_missing", 0, 1),
            reciprocity_z=_number(self.reciprocity_z, "reciprocity_z", 0),
            top_pairs=_integer(self.top_pairs, "top_pairs", 1),
            clique_z=_number(self.clique_z, "clique_z", 0),
            clique_min_size=_integer(self.clique_min_size, "clique_min_size", 2),
            permutations=_integer(self.permutations, "permutations"),
            rival_z=_number(self.rival_z, "rival_z", high=0),
            leniency_z=_number(self.leniency_z, "leniency_z", 0),
            alpha=_number(self.alpha, "alpha", 0, 1, low_open=True),
        )


@dataclass(frozen=True)
class BootstrapConfig:
    """Replicates (0 = analytic intervals only), seed and replicates drawn per chunk.

    ``method``: ``parametric`` (empirical-Bayes posterior draws, Laird–Louis; the default) or
    ``resample`` (respondents and raters resampled, the earlier default)."""

    replicates: int = 2000
    seed: int = 20210101
    chunk: int = 50
    method: str = "parametric"

    def __post_init__(self):
        _choice(self.method, "method", ("parametric", "resample"))
        _integer(self.replicates, "replicates")
        _integer(self.seed, "seed")
        _integer(self.chunk, "chunk", 1)
