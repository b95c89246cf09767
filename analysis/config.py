"""One frozen, validated configuration for :func:`analysis.evaluate` (every weight, trim,
threshold and band is data).

Defaults follow STATISTICS.md §0, §2.2, §2.5, §2.7, §4 and §5; where the reference gives no
number (the four dimension weights) the web app's year default is used so both agree. The
configuration round-trips through JSON exactly: ``EvaluationConfig.from_json(c.to_json()) == c``
and the second ``to_json()`` is byte-identical — the web app stores it beside each result.

Validation raises :class:`ConfigError` whose ``field`` is the dotted path of the bad setting,
e.g. ``group_weights.default.effectiveness``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from analysis.settings import (
    ESTIMATORS,
    BootstrapConfig,
    ConfigError,
    FrozenMap,
    GroupConfig,
    PeerConfig,
    QualityConfig,
    Scale,
    _choice,
    _flag,
    _name,
    _number,
    _set,
)

__all__ = [
    "BANDS",
    "DIMENSIONS",
    "ESTIMATORS",
    "RATED_DIMENSIONS",
    "BootstrapConfig",
    "ConfigError",
    "EvaluationConfig",
    "FrozenMap",
    "GroupConfig",
    "PeerConfig",
    "QualityConfig",
    "Scale",
]

DIMENSIONS = ("comprehensiveness", "timeliness", "effectiveness", "cooperation")
RATED_DIMENSIONS = ("effectiveness", "cooperation")
# 履职全面度 / 时效度 / 成效度 / 配合度 as they appear in questionnaires and item tables.
DIMENSION_ALIASES = {
    "全面度": "comprehensiveness",
    "履职全面度": "comprehensiveness",
    "时效度": "timeliness",
    "履职时效度": "timeliness",
    "成效度": "effectiveness",
    "履职成效度": "effectiveness",
    "配合度": "cooperation",
    "履职配合度": "cooperation",
}
BANDS = ("excellent", "good", "fair", "poor")  # 优秀 良好 一般 较差
BAND_LABELS = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}
SCHEMA_VERSION = 1


def _default_groups() -> FrozenMap:
    return FrozenMap(
        public=GroupConfig("mean", trim=0.1, min_n=30, burst_check=True),
        deputy=GroupConfig("twoway_if_partial", trim=0.0, trim_count=1, trim_min_n=7, min_n=5),
        grassroots=GroupConfig("twoway_if_partial", trim=0.1, min_n=5),
        peer=GroupConfig("srm", trim=0.1, min_n=5, min_share=0.7),
    )


def _weights(**groups) -> FrozenMap:
    return FrozenMap({dim: FrozenMap(w) for dim, w in groups.items()})


def _default_group_weights() -> FrozenMap:
    # STATISTICS.md §2.7: high public contact ("default") and internal / low contact profiles.
    return FrozenMap(
        default=_weights(
            effectiveness={"public": 0.3, "deputy": 0.3, "grassroots": 0.3, "peer": 0.1},
            cooperation={"public": 0.0, "deputy": 0.0, "grassroots": 0.4, "peer": 0.6},
        ),
        internal=_weights(
            effectiveness={"public": 0.1, "deputy": 0.4, "grassroots": 0.35, "peer": 0.15},
            cooperation={"public": 0.0, "deputy": 0.0, "grassroots": 0.4, "peer": 0.6},
        ),
    )


def _default_scales() -> FrozenMap:
    return FrozenMap(
        likert5=Scale("linear", 1, 5),
        likert3=Scale("linear", 1, 3),
        # 山东 2008: 不满意 55 / 基本满意 75 / 满意 100 (answers coded 1, 2, 3).
        satisfaction3=Scale("table", points=((1, 55), (2, 75), (3, 100))),
    )


_SUB = {"quality": QualityConfig, "peer": PeerConfig, "bootstrap": BootstrapConfig}


@dataclass(frozen=True)
class EvaluationConfig:
    """Everything :func:`analysis.evaluate` uses; see ``analysis/METHODS.md`` for each rule."""

    scales: FrozenMap = field(default_factory=_default_scales)
    groups: FrozenMap = field(default_factory=_default_groups)
    dimension_weights: FrozenMap = field(
        default_factory=lambda: FrozenMap(
            comprehensiveness=0.2, timeliness=0.2, effectiveness=0.35, cooperation=0.25
        )
    )
    group_weights: FrozenMap = field(default_factory=_default_group_weights)
    default_profile: str = "default"
    missing_group: str = "renormalize"
    shrinkage: bool = True
    shrinkage_model: str = "joint"
    reliability_threshold: float = 0.7
    satisfied_threshold: float = 60.0
    confidence: float = 0.95
    bands: FrozenMap = field(
        default_factory=lambda: FrozenMap(excellent=90.0, good=80.0, fair=70.0)
    )
    excellent_quota: float | None = None
    rated_min_share: float = 0.0
    fixed_error: FrozenMap = field(
        default_factory=lambda: FrozenMap(comprehensiveness=0.0, timeliness=0.0)
    )
    band_rule: str = "probability"
    band_probability: float = 0.8
    tie_rule: str = "point"
    rank_intervals: str = "simultaneous"
    sensitivity: float = 0.2
    quality: QualityConfig = field(default_factory=QualityConfig)
    peer: PeerConfig = field(default_factory=PeerConfig)
    bootstrap: BootstrapConfig = field(default_factory=BootstrapConfig)

    def __post_init__(self):
        scales = FrozenMap(
            (_name(k, "scales"), _sub(Scale, v, f"scales.{k}")) for k, v in _items(self.scales)
        )
        groups = FrozenMap(
            (_name(k, "groups"), _sub(GroupConfig, v, f"groups.{k}"))
            for k, v in _items(self.groups)
        )
        if not groups:
            raise ConfigError("groups", "needs at least one respondent group")
        dim_w = _check_weights(self.dimension_weights, "dimension_weights", DIMENSIONS)
        profiles = {}
        for profile, per_dim in _items(self.group_weights):
            path = f"group_weights.{_name(profile, 'group_weights')}"
            if set(per_dim) - set(RATED_DIMENSIONS):
                extra = sorted(set(per_dim) - set(RATED_DIMENSIONS))
                raise ConfigError(path, f"unknown dimension(s) {extra}")
            profiles[profile] = FrozenMap(
                (dim, _check_weights(per_dim[dim], f"{path}.{dim}", tuple(groups)))
                for dim in RATED_DIMENSIONS
                if dim in per_dim
            )
            missing = [d for d in RATED_DIMENSIONS if d not in per_dim]
            if missing:
                raise ConfigError(f"{path}.{missing[0]}", "weights are missing")
        if self.default_profile not in profiles:
            raise ConfigError("default_profile", f"{self.default_profile!r} is not a profile")
        bands = _check_bands(self.bands)
        fixed_error = self.fixed_error
        if not isinstance(fixed_error, Mapping) or set(fixed_error) != set(DIMENSIONS[:2]):
            raise ConfigError("fixed_error", "needs comprehensiveness and timeliness (0–100 SD)")
        fixed_error = FrozenMap(
            (d, _number(fixed_error[d], f"fixed_error.{d}", 0, 50)) for d in DIMENSIONS[:2]
        )
        quota = self.excellent_quota
        if quota is not None:
            quota = _number(quota, "excellent_quota", 0, 1, low_open=True)
        _set(
            self,
            scales=scales,
            groups=groups,
            dimension_weights=dim_w,
            group_weights=FrozenMap(profiles),
            bands=bands,
            excellent_quota=quota,
            rated_min_share=_number(self.rated_min_share, "rated_min_share", 0, 1),
            fixed_error=fixed_error,
            reliability_threshold=_number(
                self.reliability_threshold, "reliability_threshold", 0, 1
            ),
            satisfied_threshold=_number(self.satisfied_threshold, "satisfied_threshold", 0, 100),
            confidence=_number(self.confidence, "confidence", 0.5, 0.999),
            band_probability=_number(self.band_probability, "band_probability", 0.5, 1),
            sensitivity=_number(self.sensitivity, "sensitivity", 0, 0.9),
            **{k: _sub(cls, getattr(self, k), k) for k, cls in _SUB.items()},
        )
        _choice(self.missing_group, "missing_group", ("renormalize", "group_mean"))
        _flag(self.shrinkage, "shrinkage")
        _choice(self.shrinkage_model, "shrinkage_model", ("joint", "separate"))
        _choice(self.band_rule, "band_rule", ("interval", "probability"))
        _choice(self.tie_rule, "tie_rule", ("point", "upper"))
        if self.tie_rule == "upper" and self.band_rule != "interval":
            raise ConfigError(
                "tie_rule",
                "'upper' lifts bands without their probability; it needs band_rule 'interval'",
            )
        _choice(self.rank_intervals, "rank_intervals", ("simultaneous", "marginal"))

    # -- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain JSON-ready dict (with ``schema_version``)."""
        return {"schema_version": SCHEMA_VERSION, **_plain(self)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_dict(cls, data: Mapping) -> EvaluationConfig:
        """Build from a (possibly partial) dict; absent settings take their defaults.

        ``groups`` lists the respondent groups; a group given as a partial object takes the
        rest of its settings from that group's default (``{"peer": {"min_n": 8}}`` keeps the
        SRM estimator), a new group from :class:`GroupConfig`'s defaults.
        """
        if not isinstance(data, Mapping):
            raise ConfigError("", "the configuration must be a JSON object")
        data = dict(data)
        version = data.pop("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise ConfigError("schema_version", f"unsupported version {version!r}")
        if isinstance(data.get("groups"), Mapping):
            data["groups"] = _merge_groups(_plain(_default_groups()), data["groups"])
        return _sub(cls, data, "")

    @classmethod
    def from_json(cls, text: str) -> EvaluationConfig:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError("", f"not valid JSON: {exc}") from exc
        return cls.from_dict(data)

    def replace(self, **changes) -> EvaluationConfig:
        """A copy with settings changed (validated again). Objects merge into the current
        ones: ``replace(bootstrap={"replicates": 0})`` keeps the seed; ``groups`` merges per
        group and its keys are the groups kept."""
        data = self.to_dict()
        for key, value in _plain(changes).items():
            if key == "groups" and isinstance(value, Mapping):
                value = _merge_groups(data["groups"], value)
            elif key in _SUB and isinstance(value, Mapping):
                value = {**data[key], **value}
            data[key] = value
        data.pop("schema_version")
        return _sub(EvaluationConfig, data, "")

    def weights_for(self, profile: str | None) -> Mapping:
        """Group weights ``{dimension: {group: w}}`` of an agency profile (default if None)."""
        key = self.default_profile if profile is None else profile
        if key not in self.group_weights:
            raise ValueError(
                f"agency profile {key!r} has no group weights; known: {list(self.group_weights)}"
            )
        return self.group_weights[key]


def _merge_groups(base: Mapping, given: Mapping) -> dict:
    """Each given group's settings on top of the same group's in ``base`` (if any)."""
    merged = {}
    for name, value in given.items():
        value = _plain(value)
        if isinstance(value, Mapping) and isinstance(base.get(name), Mapping):
            value = {**base[name], **value}
        merged[name] = value
    return merged


def _items(value):
    if not isinstance(value, Mapping):
        raise ConfigError("", f"must be an object, got {type(value).__name__}")
    return list(value.items())


def _sub(cls, value, path: str):
    """Coerce a dict (from JSON) or an instance into ``cls``, prefixing errors with ``path``."""
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise ConfigError(path, f"must be an object, got {value!r}")
    known = {f.name for f in fields(cls)}
    for key in value:
        if key not in known:
            raise ConfigError(f"{path}.{key}" if path else str(key), "unknown setting")
    kwargs = dict(value)
    if cls is Scale and "points" in kwargs and isinstance(kwargs["points"], Mapping):
        kwargs["points"] = tuple(kwargs["points"].items())
    if cls is QualityConfig and isinstance(kwargs.get("exclude"), list):
        kwargs["exclude"] = tuple(kwargs["exclude"])
    if cls is Scale and isinstance(kwargs.get("points"), list):
        kwargs["points"] = tuple(tuple(p) if isinstance(p, list) else p for p in kwargs["points"])
    try:
        return cls(**kwargs)
    except ConfigError as exc:
        raise exc.under(path) if path else exc from None


def _check_weights(weights, path: str, keys: tuple[str, ...]) -> FrozenMap:
    if not isinstance(weights, Mapping):
        raise ConfigError(path, "must be an object of weights")
    unknown = [k for k in weights if k not in keys]
    if unknown:
        raise ConfigError(f"{path}.{unknown[0]}", f"unknown name; expected one of {list(keys)}")
    values = {k: _number(weights[k], f"{path}.{k}", 0, 1) for k in keys if k in weights}
    total = sum(values.values())
    if abs(total - 1.0) > 1e-9:
        raise ConfigError(path, f"weights must add up to 1, got {total:.6g}")
    return FrozenMap((k, values.get(k, 0.0)) for k in keys)


def _check_bands(bands) -> FrozenMap:
    if not isinstance(bands, Mapping) or set(bands) != set(BANDS[:3]):
        raise ConfigError("bands", "needs lower bounds for excellent, good and fair")
    values = [_number(bands[name], f"bands.{name}", 0, 100) for name in BANDS[:3]]
    if not values[0] > values[1] > values[2]:
        raise ConfigError("bands", "thresholds must fall: excellent > good > fair")
    return FrozenMap(zip(BANDS[:3], values, strict=True))


def _plain(value):
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value
