"""Transient heat conduction with temperature jumps on internal interfaces.

Strong form, per region with density ρ (kg/m³), specific heat c_p (J/(kg K)),
conductivity k (W/(m K)) and source f (W/m³), with the interface laws of the steady
problem:

    ρ c_p ∂T/∂t = ∇·(k ∇T) + f.

With ρ c_p(T) the storage term is written with the enthalpy H(T) = ∫ ρ c_p dT,
∫ (H(T) − H(T_n))/Δt v dx, and the stored heat is ∫ H(T) dV: the energy balance of a
step holds exactly (:class:`~fe_interface.discretisation.bulk.HeatStorage`); ρ c_p(T)
or k(T) make every step a Newton solve.

Time discretisation: the θ-scheme on the steady residual R(T; v) of the same terms
(:class:`~fe_interface.discretisation.formulation.Formulation`):

    F(T; v) = ∫ ρ c_p (T − T_n)/Δt v w dx + θ R(T; v, t_{n+1}) + (1 − θ) R(T_n; v, t_n) = 0,

θ = 1 backward Euler (first order, L-stable), θ = ½ Crank–Nicolson (second order; the
first ``startup_steps`` steps are each replaced by two backward-Euler half steps
(Rannacher start-up), which keeps second order for non-smooth initial data such as two
bodies at different temperatures brought into contact).  The facet-wise interface terms
enter as θ K T + (1 − θ) K T_n.

Linear problems assemble the matrix (and set up the preconditioner) once per (θ, Δt) and
reuse it; a step only assembles the right-hand side (unless a time-dependent value
enters the matrix, e.g. a convection coefficient h(t)).  Temperature-dependent laws use
Newton every step.

Adaptive stepping (``adaptive=True``): step doubling.  A step of Δt and two steps of
Δt/2 are taken from the same state; the local error estimate is
max|T_{Δt/2} − T_Δt| / (2^p − 1) (K, p = 1 BE, 2 CN); the step is accepted if it is
≤ ``tol`` (the half-step solution is kept), Δt is halved/doubled by powers of two (few
distinct matrices) within [dt_min, dt_max]; :class:`TimeStepError` if Δt would fall
below dt_min.

Outputs (``run(output=folder)``): ``name.xdmf``/``name.h5`` (interface vertices
duplicated), ``name_vtx.bp`` and ``name.csv``: time, per-interface heat flow (W) and
mean jump (K), stored-energy change (J), net inflow (J) and the balance residual (J),
then the probes (K) and the monitored regions' min/mean/max temperature (K).  The stored
energy includes the heat stored in thin layers that are interfaces
(:mod:`fe_interface.discretisation.layers`), so the balance stays exact with them.
Checkpoints (``run(checkpoint=folder)``): :mod:`fe_interface.io.checkpoint`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from dolfinx import fem

from fe_interface.discretisation.bulk import warn_ranges
from fe_interface.errors import InputError, TimeStepError
from fe_interface.io.checkpoint import Checkpoint
from fe_interface.io.progress import ProgressBar
from fe_interface.io.timeseries import TimeSeries
from fe_interface.model.validation import is_real
from fe_interface.postprocessing.interfaces import warn_law_ranges
from fe_interface.problems.time_stepping import SCHEMES, TransientStepper

__all__ = ["SCHEMES", "TransientProblem", "TransientResult"]


class TransientResult(NamedTuple):
    """Result of :meth:`TransientProblem.run`.

    Attributes:
        temperature: the temperature (K) at the final time.
        time: final time, s.
        steps: accepted steps (in total, including those before a restart).
        rejected: rejected adaptive steps (this run).
        history: the CSV columns (name with unit -> array), one entry per step.
        files: output paths written by this run.
        timings: wall time per stage, s.
        restarted_from: time (s) of the checkpoint this run resumed from, or None.
    """

    temperature: fem.Function
    time: float
    steps: int
    rejected: int
    history: dict[str, np.ndarray]
    files: dict[str, Any]
    timings: dict[str, float]
    restarted_from: float | None


def _check_run_arguments(
    t_end: Any, dt: Any, adaptive: bool, tol: Any, dt_min: Any, dt_max: Any,
    output_every: Any, checkpoint_every: Any, max_steps: Any,
) -> tuple[float, float, float, float, float]:  # fmt: skip
    """The checked times and tolerances of :meth:`TransientProblem.run` (NumPy scalars accepted).

    Returns (t_end, dt, tol, dt_min, dt_max).
    """
    for label, val in (("dt", dt), ("t_end", t_end)):
        if not is_real(val) or not (val > 0 and math.isfinite(val)):
            raise InputError(f"{label} must be a positive number of seconds, got {val!r}")
    t_end, dt = float(t_end), float(dt)
    for label, val in (
        ("output_every", output_every),
        ("checkpoint_every", checkpoint_every),
        ("max_steps", max_steps),
    ):
        if not isinstance(val, (int, np.integer)) or isinstance(val, bool) or val < 1:
            raise InputError(f"{label} must be an integer >= 1, got {val!r}")
    if not adaptive and t_end / dt > max_steps:
        raise InputError(
            f"t_end / dt = {t_end / dt:.3g} steps exceeds max_steps = {max_steps}: use a "
            "larger dt, adaptive=True, or raise max_steps"
        )
    if not is_real(tol) or not (tol > 0 and math.isfinite(tol)):
        raise InputError(f"tol must be a positive temperature (K), got {tol!r}")
    for label, val in (("dt_min", dt_min), ("dt_max", dt_max)):
        if val is not None and (not is_real(val) or not (val > 0 and math.isfinite(val))):
            raise InputError(f"{label} must be a positive number of seconds, got {val!r}")
    dt_min = dt * 1e-6 if dt_min is None else float(dt_min)
    dt_max = t_end if dt_max is None else float(dt_max)
    if adaptive and not dt_min <= dt_max:
        raise InputError(f"need dt_min <= dt_max, got {dt_min!r}, {dt_max!r}")
    return t_end, dt, float(tol), dt_min, dt_max


def _describe(obj: Any) -> str:
    """A repr without memory addresses (functions by qualified name)."""
    if callable(obj) and not hasattr(obj, "__dataclass_fields__"):
        return getattr(obj, "__qualname__", type(obj).__name__)
    if hasattr(obj, "__dataclass_fields__"):
        inner = ", ".join(f"{k}={_describe(getattr(obj, k))}" for k in obj.__dataclass_fields__)
        return f"{type(obj).__name__}({inner})"
    if isinstance(obj, (list, tuple)):
        return "[" + ", ".join(_describe(x) for x in obj) + "]"
    if isinstance(obj, dict):
        return "{" + ", ".join(f"{k}: {_describe(v)}" for k, v in obj.items()) + "}"
    return repr(obj)


class TransientProblem(TransientStepper):
    """Transient conduction ρ c_p ∂T/∂t = ∇·(k∇T) + f with interface laws.

    Args:
        tagged, materials, interfaces, boundary_conditions, sources, degree,
            axisymmetric, solver, petsc_options, petsc_options_prefix: as for
            :class:`~fe_interface.problems.steady.SteadyProblem`; every material needs
            ``density`` and ``specific_heat``.  Values may be :class:`TimeFunction`.
        initial_temperature: K — a number (all regions), a mapping region (name or
            tag) -> number or ``x -> NumPy array`` (x of shape (3, n)), or one such
            callable for all regions.  Where regions of one block touch (perfect
            contact) the later region in the mapping wins on the shared dofs.
        scheme: "backward_euler" (θ = 1), "crank_nicolson" (θ = ½) or θ in [½, 1].
        startup_steps: Crank–Nicolson only: the first steps done as two backward-Euler
            half steps each (Rannacher); 0 disables.
        probes: named points (mapping name -> point in m, or
            :class:`~fe_interface.postprocessing.derived.ProbeSpec` objects): their
            temperatures are CSV columns ``probe_<name>_K`` (a time series).
        monitor_regions: regions whose min/mean/max temperature are CSV columns
            ``<region>_min_K``, ``_mean_K``, ``_max_K`` (the junction's time series).

    Bodies without any fixed-temperature or convection boundary are allowed (their
    energy is conserved).
    """

    def identity(self) -> str:
        """What a checkpoint must match to be restarted from: the model and the scheme."""
        parts = [
            _describe(self.materials),
            _describe(self.interfaces),
            _describe(self.boundary_conditions),
            _describe(self.sources),
            f"degree={self.degree} axisymmetric={self.axisymmetric} theta={self.theta}",
            f"startup={self.startup_steps}",
        ]
        return "|".join(parts)

    # ------------------------------------------------------------------ run
    def run(
        self,
        t_end: float,
        dt: float,
        *,
        adaptive: bool = False,
        tol: float = 1e-2,
        dt_min: float | None = None,
        dt_max: float | None = None,
        output: str | Path | None = None,
        name: str = "transient",
        output_every: int = 1,
        vtx: bool = True,
        checkpoint: str | Path | None = None,
        checkpoint_every: int = 10,
        restart: bool = False,
        progress: bool | None = None,
        callback: Callable[[TransientProblem], Any] | None = None,
        max_steps: int = 1_000_000,
    ) -> TransientResult:
        """Integrate from the initial state (or the checkpoint) to ``t_end`` (s).

        Args:
            t_end: final time, s.
            dt: time step (s); the initial step if ``adaptive``.
            adaptive: step-doubling error control (see the module docstring).
            tol: adaptive: maximum local error estimate per step, K.
            dt_min: adaptive lower bound of the step, s (default dt·1e-6).
            dt_max: adaptive upper bound of the step, s (default t_end).
            output: folder for ``name.xdmf``/``.h5``, ``name_vtx.bp``, ``name.csv``.
            name: base name of the output files.
            output_every: write a frame after every step number divisible by this (and
                after the last one).
            vtx: also write the VTX (ADIOS2) series.
            checkpoint: folder for the restart state, written every
                ``checkpoint_every`` steps and at the end.
            checkpoint_every: steps between checkpoint writes.
            restart: continue from ``checkpoint`` if it holds a state of this problem.
            progress: progress bar; None: only on a terminal and without ``CI``.
            callback: called with the problem after every accepted step.
            max_steps: refuse runs whose fixed step needs more steps than this.

        Raises:
            TimeStepError: the adaptive step fell below ``dt_min``.
            SolverError: a linear or Newton solve failed.
            InputError: bad arguments or checkpoint.
        """
        f = self._formulation()
        t_end, dt, tol, dt_min, dt_max = _check_run_arguments(
            t_end, dt, adaptive, tol, dt_min, dt_max, output_every, checkpoint_every, max_steps
        )
        timings = {"solve": 0.0, "output": 0.0, "checkpoint": 0.0}
        t_start = time.perf_counter()
        self.set_initial_temperature()
        self.history = []
        self.frame_times = []
        self._start_accounting()
        writer = TimeSeries(f, f.T, Path(output), name, vtx) if output is not None else None
        ck = Checkpoint(Path(checkpoint), f, self.identity()) if checkpoint is not None else None
        files: dict[str, Any] = {}
        rejected = 0
        attempts = 0
        try:
            dt, restarted_from = self._open_run(writer, ck, restart, t_end, dt, timings)
            bar = ProgressBar(self.t, t_end, progress)
            while self.t < t_end * (1 - 1e-12):
                remaining = t_end - self.t
                final = remaining <= dt * (1 + 1e-9)
                # a last step within round-off of dt keeps dt (and its matrix)
                step_dt = remaining if final and remaining < dt * (1 - 1e-9) else dt
                t0 = time.perf_counter()
                attempts += 1
                if attempts > max_steps:
                    raise TimeStepError(
                        f"the run needs more than max_steps = {max_steps} steps (t = "
                        f"{self.t:.6g} s of t_end = {t_end:.6g} s, dt = {dt:.3g} s); raise "
                        "max_steps, tol or dt_min"
                    )
                if adaptive:
                    ok, dt = self._adaptive(step_dt, dt, tol, dt_min, dt_max, final)
                    if not ok:
                        rejected += 1
                        timings["solve"] += time.perf_counter() - t0
                        continue
                else:
                    self.step(step_dt)
                if final:
                    self.t = t_end
                timings["solve"] += time.perf_counter() - t0
                self.history.append(self._row(step_dt))
                last = self.t >= t_end * (1 - 1e-12)
                self._write_step(writer, ck, (output_every, checkpoint_every), dt, last, timings)
                bar.update(self.t, self.step_count, step_dt)
                if callback is not None:
                    callback(self)
            bar.close(self.t, self.step_count, dt)
            if writer is not None:
                t0 = time.perf_counter()
                files |= writer.close(self.columns, self.history)
                writer = None
                timings["output"] += time.perf_counter() - t0
        finally:
            if writer is not None:
                writer.abort()
            if ck is not None:
                ck.close()
        timings["total"] = time.perf_counter() - t_start
        warn_ranges(f)
        warn_law_ranges(self.table)
        return TransientResult(
            f.T, self.t, self.step_count, rejected, self.interface_history(), files, timings,
            restarted_from,
        )  # fmt: skip

    def _open_run(
        self, writer: Any, ck: Any, restart: bool, t_end: float, dt: float,
        timings: dict[str, float],
    ) -> tuple[float, float | None]:  # fmt: skip
        """Open the output (its folder locked first), then the checkpoint (a restart).

        Returns (the step, s; the restart's time, s, or None).
        """
        restarted_from = None
        if writer is not None:  # lock the output folder before touching the checkpoint
            t0 = time.perf_counter()
            writer.open()
            timings["output"] += time.perf_counter() - t0
        if ck is not None and ck.prepare(restart):
            dt = self._load_checkpoint(ck)
            restarted_from = self.t
            if t_end < self.t * (1 - 1e-12):
                raise InputError(
                    f"t_end = {t_end!r} s is before the checkpoint's time {self.t!r} s: "
                    "nothing to do"
                )
        if writer is not None:
            t0 = time.perf_counter()
            self._replay_frames(writer, ck)
            if not self.frame_times:
                self._frame(writer, ck)
            timings["output"] += time.perf_counter() - t0
        return dt, restarted_from

    def _write_step(
        self, writer: Any, ck: Any, every: tuple[int, int], dt: float, last: bool,
        timings: dict[str, float],
    ) -> None:  # fmt: skip
        """After an accepted step: its frame and the checkpoint, when due (or ``last``)."""
        output_every, checkpoint_every = every
        if writer is not None and (self.step_count % output_every == 0 or last):
            t0 = time.perf_counter()
            self._frame(writer, ck)
            timings["output"] += time.perf_counter() - t0
        if ck is not None and (self.step_count % checkpoint_every == 0 or last):
            t0 = time.perf_counter()
            self._save_checkpoint(ck, dt)
            if writer is not None:
                writer.write_table(self.columns, self.history)
            timings["checkpoint"] += time.perf_counter() - t0

    def _adaptive(
        self, step_dt: float, dt: float, tol: float, dt_min: float, dt_max: float, final: bool
    ) -> tuple[bool, float]:
        """One adaptive attempt; returns (accepted, the next dt)."""
        if step_dt < dt_min * (1 - 1e-12) and not final:
            raise TimeStepError(
                f"adaptive time step fell below dt_min = {dt_min:.3g} s at t = {self.t:.6g} s; "
                f"raise tol ({tol:.3g} K) or lower dt_min"
            )
        ok, err = self._adaptive_step(step_dt, tol)
        factor = 0.9 * (tol / err) ** (1 / (self.order + 1)) if err > 0 else 4.0
        k = math.floor(math.log2(max(min(factor, 4.0), 1e-3)))
        if not ok:
            dt = step_dt * 2.0 ** min(k, -1)
            if dt < dt_min * (1 - 1e-12):
                raise TimeStepError(
                    f"adaptive time step fell below dt_min = {dt_min:.3g} s at t = "
                    f"{self.t:.6g} s (error estimate {err:.3g} K > tol = {tol:.3g} K)"
                )
            return False, dt
        if step_dt == dt:  # a truncated last step does not change dt
            dt = min(dt * 2.0 ** max(min(k, 1), -1), dt_max)
        return True, dt

    # ------------------------------------------------------------------ checkpoints
    def _save_checkpoint(self, ck: Checkpoint, dt: float) -> None:
        meta = {
            "t": self.t,
            "step": self.step_count,
            "dt": dt,
            "E_old": self._E_old,
            "Q_old": self._Q_old,
            "Q_old_terms": [float(q) for q in self._Qv_old],
            "last_step": self._last_step,
            "stored": self._stored,
            "inflow": self._inflow,
            "residual": self._residual,
            "frame_times": self.frame_times,
            "columns": self.columns,
        }
        arrays = {
            "history": np.array(self.history, float).reshape(-1, len(self.columns)),
            "step_residuals": np.array(self.step_residuals, float),
        }
        ck.save_state(meta, arrays, self.T_n)

    def _load_checkpoint(self, ck: Checkpoint) -> float:
        """Restore the state; returns the step Δt to continue with."""
        meta, data = ck.load_state(self.T_n)
        try:
            return self._restore_state(ck, meta, data)
        except (KeyError, TypeError, ValueError) as e:  # every rank: meta is broadcast
            raise InputError(
                f"checkpoint file {ck.folder / 'state.npz'} is corrupt or of another version "
                f"({type(e).__name__}: {e}); delete the checkpoint folder"
            ) from None

    def _restore_state(self, ck: Checkpoint, meta: dict[str, Any], data: dict[str, Any]) -> float:
        f = self._formulation()
        if meta["columns"] != self.columns:
            raise InputError(f"checkpoint {ck.folder}: written by a different problem (columns)")
        f.T.x.array[:] = self.T_n.x.array
        self.t = float(meta["t"])
        self.step_count = int(meta["step"])
        self._E_old, self._Q_old = float(meta["E_old"]), float(meta["Q_old"])
        self._Qv_old = np.array(meta["Q_old_terms"], float)
        self._last_step = meta["last_step"]
        self._stored, self._inflow = float(meta["stored"]), float(meta["inflow"])
        self._residual = float(meta["residual"])
        self.frame_times = [float(t) for t in meta["frame_times"]]
        self.history = [list(map(float, r)) for r in data["history"]]
        self.step_residuals = [float(r) for r in data["step_residuals"]]
        self._set_time(self.t, self.t)
        return float(meta["dt"])

    def _frame(self, writer: TimeSeries, ck: Checkpoint | None) -> None:
        """Write an output frame (and store it for a restart)."""
        i = len(self.frame_times)
        self.frame_times.append(self.t)
        if ck is not None:
            ck.save_frame(i, self.t, self._formulation().T)
        writer.write_frame(self.t)

    def _replay_frames(self, writer: TimeSeries, ck: Checkpoint | None) -> None:
        """Rewrite the frames stored before a restart (collective)."""
        if not self.frame_times or ck is None:
            return
        T = self._formulation().T
        saved = T.x.array.copy()
        for i, tf in enumerate(self.frame_times):
            ck.scatter(ck.load_frame(i), T)
            writer.write_frame(tf)
        T.x.array[:] = saved
