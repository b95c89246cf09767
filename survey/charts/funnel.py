"""Funnel-plot control limits for a mean score against its number of responses.

Spiegelhalter 2005 ("Funnel plots for comparing institutional performance", Stat Med 24:1185):
for a unit with n responses whose scores spread with standard deviation σ, the limits are
target ± z·√(σ²/n + τ²), with z = 1.96 (95 %) and 3.09 (99.8 %). τ² is the overdispersion
between units beyond chance: the z-scores are winsorised (10 % at each end, as FunnelPlotR
does), φ is their mean square, and when I·φ exceeds I − 1 the additive random-effects estimate
τ² = (I·φ − (I − 1)) / (Σw − Σw²/Σw), w = n/σ², widens the funnel; otherwise τ² = 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
Z998 = 3.090232306167813


@dataclass(frozen=True)
class FunnelLimits:
    target: float
    sigma: float
    tau2: float  # overdispersion (0 when the units spread no more than chance)
    phi: float  # the winsorised mean square of the z-scores

    def half_width(self, n: float, z: float) -> float:
        return z * math.sqrt(self.sigma**2 / n + self.tau2)

    def at(self, n: float) -> dict[str, float]:
        """The four limits at ``n`` responses."""
        w95, w998 = self.half_width(n, Z95), self.half_width(n, Z998)
        return {
            "low_998": self.target - w998,
            "low_95": self.target - w95,
            "high_95": self.target + w95,
            "high_998": self.target + w998,
        }

    def position(self, n: float, value: float) -> str:
        """ "inside", "beyond_95" (alert) or "beyond_998" (alarm), on either side."""
        gap = abs(value - self.target)
        if gap > self.half_width(n, Z998):
            return "beyond_998"
        if gap > self.half_width(n, Z95):
            return "beyond_95"
        return "inside"


def winsorised(values: Sequence[float], share: float = 0.1) -> list[float]:
    """``values`` with the lowest and highest ``share`` pulled in to the nearest kept value."""
    ordered = sorted(values)
    count = len(ordered)
    if count < 3:
        return list(values)
    cut = int(math.floor(count * share))
    low, high = ordered[cut], ordered[count - 1 - cut]
    return [min(max(v, low), high) for v in values]


def funnel_limits(
    points: Sequence[tuple[float, float]],
    target: float,
    sigma: float,
    overdispersion: bool = True,
) -> FunnelLimits:
    """Limits for ``points`` given as (n, value) pairs around ``target`` with spread ``sigma``."""
    if sigma <= 0:
        raise ValueError("sigma must be positive")
    usable = [(n, v) for n, v in points if n and n > 0]
    if not usable or not overdispersion:
        return FunnelLimits(target=target, sigma=sigma, tau2=0.0, phi=1.0)
    z = [(v - target) / (sigma / math.sqrt(n)) for n, v in usable]
    zw = winsorised(z)
    units = len(zw)
    phi = sum(x * x for x in zw) / units
    tau2 = 0.0
    if units > 1 and units * phi > units - 1:
        weights = [n / sigma**2 for n, _ in usable]
        total = sum(weights)
        denominator = total - sum(w * w for w in weights) / total
        if denominator > 0:
            tau2 = max(0.0, (units * phi - (units - 1)) / denominator)
    return FunnelLimits(target=target, sigma=sigma, tau2=tau2, phi=phi)
