"""A problem whose numbers are functions of parameters: predictions and their Jacobian.

:class:`ParametricModel` joins

* a problem (:class:`~fe_interface.problems.steady.SteadyProblem` or
  :class:`~fe_interface.problems.transient.TransientProblem`), built once: one mesh, one
  space, one set of compiled forms, one matrix pattern and one solver;
* ``build(values) -> {"materials": ..., "interfaces": ..., "boundary_conditions": ...,
  "sources": ...}``: the model objects for parameter values (name -> SI value; any of
  the four keys, the others unchanged);
* the :class:`~fe_interface.studies.parameters.Parameter` list.

A new parameter vector changes numbers only (:meth:`ProblemBase.update`); the
Jacobian of the predicted probe temperatures is tangent-linear
(:mod:`fe_interface.problems.tangent`): one extra solve per parameter with the operator and
preconditioner already built.  The derivative of the model's numbers (the *slots*) with
respect to each parameter is taken by central differences of ``build`` — algebra only
(the law formulas), no solve, step 1e-6 relative, one-sided where a value would leave its
valid range.  ``jacobian="fd"`` differentiates the predictions by central finite
differences instead (two solves per parameter): a fallback, and the reference of the tests.

Transient problems run with fixed steps (adaptive steps would make the prediction
non-smooth in the parameters); readings between steps are interpolated linearly in time
(and so are their derivatives).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from fe_interface.errors import InputError
from fe_interface.postprocessing.sampling import evaluate_at, locate_points
from fe_interface.problems.tangent import SteadyTangent, TransientTangent
from fe_interface.problems.transient import TransientProblem
from fe_interface.studies.data import Observations
from fe_interface.studies.parameters import Parameter, as_values, check_parameters

__all__ = ["ParametricModel", "Prediction", "ProbeSet"]

#: relative step of the central differences of ``build`` (algebra only, no solve)
SLOT_STEP = 1e-6
#: relative step of the finite-difference Jacobian (fallback, tests)
FD_STEP = 1e-4

Build = Callable[[dict[str, float]], Mapping[str, Any]]


class ProbeSet(NamedTuple):
    """Measurement rows located in the mesh.

    Attributes:
        obs: the observations.
        where: the located distinct points.
        rows: per reading, its point in ``where``.
    """

    obs: Observations
    where: Any
    rows: np.ndarray


class Prediction(NamedTuple):
    """Predicted readings.

    Attributes:
        values: (n,) predicted temperatures, K.
        jacobian: (n, m) dT/dp (K per SI unit of each parameter), or None.
    """

    values: np.ndarray
    jacobian: np.ndarray | None


class ParametricModel:
    """A problem whose numbers are functions of parameters (module docstring).

    Args:
        problem: the problem (not yet initialised: updates are enabled here).
        build: parameter values -> model objects (see the module docstring).
        parameters: the parameters.
        t_end: transient problems: the final time, s (default: the last reading's time).
        dt: transient problems: the fixed time step, s.
        jacobian: "tangent" (default) or "fd".

    Raises:
        InputError: a transient problem without ``dt``, an unknown ``jacobian``.
    """

    def __init__(
        self,
        problem: Any,
        build: Build,
        parameters: Sequence[Parameter],
        *,
        t_end: float | None = None,
        dt: float | None = None,
        jacobian: str = "tangent",
    ) -> None:
        if jacobian not in ("tangent", "fd"):
            raise InputError(f"jacobian must be 'tangent' or 'fd', got {jacobian!r}")
        self.problem = problem
        self.build = build
        self.parameters = check_parameters(parameters)
        self.transient = isinstance(problem, TransientProblem)
        if self.transient and (dt is None or not dt > 0):
            raise InputError("a transient model needs a fixed time step dt > 0 (s)")
        self.t_end, self.dt = t_end, dt
        self.jacobian_method = jacobian
        if problem.formulation is None:
            problem.enable_updates()
        self._steady_tangent: SteadyTangent | None = None
        self._transient_tangent: TransientTangent | None = None
        self.solves = 0

    @property
    def names(self) -> list[str]:
        """The parameter names."""
        return [p.name for p in self.parameters]

    @property
    def nominal(self) -> dict[str, float]:
        """The parameters' values (initial guesses, nominal values)."""
        return {p.name: p.value for p in self.parameters}

    # ------------------------------------------------------------------ values
    def inputs(self, values: Any) -> Any:
        """The problem's model input for parameter values (checked, nothing changed)."""
        vals = as_values(self.parameters, values)
        try:
            objs = dict(self.build(vals))
        except InputError as e:
            raise InputError(f"parameters {vals}: {e}") from None
        unknown = set(objs) - {"materials", "interfaces", "boundary_conditions", "sources"}
        if unknown:
            raise InputError(f"build() returned unknown keys {sorted(unknown)}")
        return self.problem.model_input(**objs)

    def set(self, values: Any) -> None:
        """Put the model objects of ``values`` in place (collective)."""
        vals = as_values(self.parameters, values)
        objs = dict(self.build(vals))
        self.problem.update(**objs)

    def _slots(self, values: dict[str, float]) -> list[np.ndarray]:
        inp = self.inputs(values)
        return [np.asarray(v, dtype=float) for v in self.problem.values.read(inp)]

    def directions(self, values: Any) -> list[list[np.ndarray]]:
        """d(slot values)/dp for every parameter (central differences of ``build``)."""
        p = as_values(self.parameters, values)
        out = []
        for par in self.parameters:
            h = SLOT_STEP * max(abs(p[par.name]), par.scale * 1e-3)
            out.append(self._slot_derivative(p, par, h))
        return out

    def _slot_derivative(self, p: dict[str, float], par: Parameter, h: float) -> list[np.ndarray]:
        def at(dx: float) -> list[np.ndarray]:
            return self._slots({**p, par.name: p[par.name] + dx})

        try:
            plus, minus = at(h), at(-h)
            return [(a - b) / (2 * h) for a, b in zip(plus, minus, strict=True)]
        except InputError:  # a value at its limit: one-sided, second order
            pass
        for sign in (-1.0, 1.0):
            try:
                f0, f1, f2 = at(0.0), at(sign * h), at(2 * sign * h)
            except InputError:
                continue
            return [
                sign * (-3 * a + 4 * b - c) / (2 * h) for a, b, c in zip(f0, f1, f2, strict=True)
            ]
        raise InputError(
            f"parameter {par.name!r}: the model cannot be built for values near {p[par.name]!r}"
        )

    # ------------------------------------------------------------------ probes
    def probes(self, obs: Observations) -> ProbeSet:
        """Locate the readings' points (collective).

        Raises:
            InputError: a point outside the mesh (or its region), naming the row; readings
                with times for a steady problem, or without for a transient one.
        """
        if self.transient and obs.times is None:
            raise InputError(f"{obs.source}: a transient model needs the times (column time_s)")
        if not self.transient and obs.times is not None:
            raise InputError(f"{obs.source}: a steady model, but the data have times (time_s)")
        f = self.problem.values.f
        pts, index, regions = obs.unique_points()
        tags = [None if r is None else f.model.region_tag(r, "data region") for r in regions]
        where = locate_points(f, pts, tags)
        missing = np.flatnonzero(where.owner < 0)
        if missing.size:
            i = int(np.flatnonzero(index == missing[0])[0])
            inside = f" in region {obs.regions[i]!r}" if obs.regions[i] else ""
            raise InputError(
                f"{obs.source}: {obs.names[i]}: the point {obs.points[i].tolist()} m is not in the "
                f"mesh{inside}"
            )
        return ProbeSet(obs, where, index)

    # ------------------------------------------------------------------ predictions
    def predict(self, values: Any, probes: ProbeSet, jacobian: bool = False) -> Prediction:
        """Predicted readings at ``values`` and, with ``jacobian``, dT/dp (collective)."""
        if jacobian and self.jacobian_method == "fd":
            return Prediction(
                self._predict(values, probes, False)[0], self.fd_jacobian(values, probes)
            )
        y, J = self._predict(values, probes, jacobian)
        return Prediction(y, J)

    def _predict(self, values: Any, probes: ProbeSet, jacobian: bool) -> tuple[np.ndarray, Any]:
        dirs = self.directions(values) if jacobian else []
        self.set(values)
        self.solves += 1
        if self.transient:
            return self._predict_transient(probes, dirs)
        self.problem.run()
        f = self.problem.values.f
        y = evaluate_at(f, probes.where)[probes.rows]
        if not jacobian:
            return y, None
        if self._steady_tangent is None:
            self._steady_tangent = SteadyTangent(self.problem)
        S = self._steady_tangent.solve(dirs)
        J = np.column_stack([evaluate_at(f, probes.where, s)[probes.rows] for s in S])
        return y, J

    def _predict_transient(self, probes: ProbeSet, dirs: list) -> tuple[np.ndarray, Any]:
        p = self.problem
        obs = probes.obs
        assert obs.times is not None and self.dt is not None
        t_end = self.t_end if self.t_end is not None else float(obs.times.max())
        if obs.times.max() > t_end * (1 + 1e-12):
            raise InputError(f"{obs.source}: readings after t_end = {t_end!r} s")
        if self._transient_tangent is None:
            self._transient_tangent = TransientTangent(p, dirs)
        tan = self._transient_tangent
        tan.set_directions(dirs)
        f = p.values.f
        p.set_initial_temperature()
        times = [0.0]
        Y = [evaluate_at(f, probes.where)]
        Js = [np.zeros((len(Y[0]), len(dirs)))]

        def record(problem: Any) -> None:
            times.append(problem.t)
            Y.append(evaluate_at(f, probes.where))
            if dirs:
                Js.append(np.column_stack([evaluate_at(f, probes.where, s) for s in tan.S]))

        p.run(t_end, self.dt, progress=False, callback=record)
        t = np.asarray(times)
        Yt = np.asarray(Y)  # (steps, points)
        y = np.array(
            [np.interp(ti, t, Yt[:, k]) for ti, k in zip(obs.times, probes.rows, strict=True)]
        )
        if not dirs:
            return y, None
        Jt = np.asarray(Js)  # (steps, points, params)
        J = np.array(
            [
                [np.interp(ti, t, Jt[:, k, j]) for j in range(len(dirs))]
                for ti, k in zip(obs.times, probes.rows, strict=True)
            ]
        )
        return y, J

    def fd_jacobian(self, values: Any, probes: ProbeSet, step: float = FD_STEP) -> np.ndarray:
        """dT/dp by central finite differences of the predictions (2 solves per parameter)."""
        p = as_values(self.parameters, values)
        cols = []
        for par in self.parameters:
            h = step * max(abs(p[par.name]), par.scale * 1e-3)
            lo, hi = p[par.name] - h, p[par.name] + h
            y1 = self._predict({**p, par.name: hi}, probes, False)[0]
            y0 = self._predict({**p, par.name: lo}, probes, False)[0]
            cols.append((y1 - y0) / (hi - lo))
        self.set(p)
        return np.column_stack(cols)

    def close(self) -> None:
        """Free the tangent solvers (the problem stays)."""
        if self._steady_tangent is not None:
            self._steady_tangent.destroy()
        if self._transient_tangent is not None:
            self._transient_tangent.close()
        self._steady_tangent = self._transient_tangent = None
