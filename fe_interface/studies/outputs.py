"""The outputs of one run of a study, by name (the names of sweep outputs).

``junction_K``, ``regions.<r>.min_K|mean_K|max_K``, ``probes.<p>_K``,
``interfaces.<i>.mean_jump_K|heat_flow_W|conductance_W_m2K`` (h_eff = heat flow /
(area · mean jump)), ``boundaries.<b>.heat_flow_W|mean_temperature_K`` (heat into the
body) and ``balance.relative_residual``.  Everything that can be set up once is (region
weights, probe locations, the interface table, the rate and residual forms), so one call
costs a few dot products and vector assemblies (collective).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.postprocessing.balance import HeatRates, steady_balance
from fe_interface.postprocessing.derived import Derived
from fe_interface.postprocessing.interfaces import InterfaceTable

__all__ = ["RunOutputs"]


class RunOutputs:
    """Every output of a solved steady problem by name (see the module docstring).

    Args:
        problem: the problem (initialised).
        probes: named points (mapping name -> point, m).
        junction: region whose maximum temperature is ``junction_K``.
    """

    def __init__(self, problem: Any, probes: Any = None, junction: str | None = None) -> None:
        f = problem.values.f
        self.f = f
        self.derived = Derived(f, probes, junction)
        self._rates = HeatRates(f)
        self._table: InterfaceTable | None = None
        self._k: list[float] | None = None

    def _interface_table(self) -> InterfaceTable:
        k = [float(c.value) for c in self.f.region_constants.get("conductivity", {}).values()]
        if self._table is None or k != self._k:  # the bulk-side flows use the conductivities
            self._table, self._k = InterfaceTable(self.f), k
        return self._table

    def balance(self) -> Any:
        """The energy balance of the current field (W).

        The problem's own balance (:func:`~fe_interface.postprocessing.balance.steady_balance`),
        fixed region and point temperatures' reactions included, on forms compiled once.
        """
        return steady_balance(self.f, self._rates)

    def __call__(self, balance: bool = True) -> dict[str, float]:
        """The outputs of the current field.

        ``balance``: also the boundary heat flows and the balance residual (a residual
        vector assembly, ~10–25 % of a sample; NaN without).
        """
        b = self.balance() if balance else None
        out = dict(self.derived.compute(balance=b).flat())
        for s in self._interface_table().compute(extremes=False):
            for k in ("mean_jump_K", "heat_flow_W", "conductance_W_m2K"):
                out[f"interfaces.{s.name}.{k}"] = float(getattr(s, k))
        out["balance.relative_residual"] = float(b.relative_residual) if b else float("nan")
        return out


def needs_balance(names: list[str]) -> bool:
    """True if an output of ``names`` comes from the energy balance."""
    return any(
        n.startswith("balance.") or (n.endswith(".heat_flow_W") and n.startswith("boundaries."))
        for n in names
    )


def select(outputs: dict[str, float], names: list[str] | None) -> list[str]:
    """The output names to report: ``names`` (checked) or the defaults.

    Defaults: the junction temperature (else every region's maximum) and every interface's
    mean jump.

    Raises:
        InputError: a name that is not an output, listing the available ones.
    """
    if names:
        bad = [n for n in names if n not in outputs]
        if bad:
            raise InputError(f"unknown output(s) {bad}; outputs: {', '.join(outputs)}")
        return list(names)
    first = ["junction_K"] if "junction_K" in outputs else [
        k for k in outputs if k.startswith("regions.") and k.endswith(".max_K")
    ]  # fmt: skip
    return first + [k for k in outputs if k.startswith("interfaces.") and k.endswith("mean_jump_K")]


def as_array(rows: list[dict[str, float]], names: list[str]) -> np.ndarray:
    """(samples, outputs) array of the chosen outputs."""
    return np.array([[r[n] for n in names] for r in rows], dtype=float).reshape(
        len(rows), len(names)
    )
