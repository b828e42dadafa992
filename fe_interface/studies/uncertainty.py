"""Carrying input uncertainty to the outputs: sampling and polynomial chaos.

:func:`propagate` draws the inputs (:mod:`~fe_interface.studies.distributions`, independent)
with one of

* ``"monte_carlo"`` — independent random samples (seeded);
* ``"lhs"`` — a Latin hypercube (seeded);
* ``"sobol"`` — the first N points of Sobol's low-discrepancy sequence (deterministic);
* ``"chaos"`` — polynomial chaos: a least-squares expansion on a Sobol' design of N runs
  (bases orthonormal for each input's own distribution), whose coefficients give the mean
  and standard deviation exactly (percentiles from 10⁵ draws of the expansion);

runs the model once per sample (values-only updates: :class:`~fe_interface.studies.model.ParametricModel`)
and reports, per output (:mod:`~fe_interface.studies.outputs`): mean, standard deviation,
the Monte Carlo standard error of the mean, percentiles, a histogram, the estimates'
convergence with the number of samples and Sobol' indices (first and total order) from a
polynomial chaos fitted to the samples (with its leave-one-out Q²).

Samples are written as they finish (:class:`~fe_interface.studies.samples.SampleStore`), so
a killed study resumes where it stopped.  Parallel: ``groups`` groups of ranks (an MPI
communicator split) run samples i ≡ group (mod groups), each group solving its samples in
parallel on its own ranks.  A sample whose model cannot be built or solved (an input
outside a law's range) is recorded with its error and left out of the statistics.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np

from fe_interface.errors import FeInterfaceError, InputError, describe
from fe_interface.io.progress import ProgressBar
from fe_interface.studies.distributions import Distribution, joint, openturns
from fe_interface.studies.model import ParametricModel
from fe_interface.studies.outputs import RunOutputs, as_array, needs_balance, select
from fe_interface.studies.samples import SampleStore

__all__ = ["METHODS", "UncertaintyResult", "chaos", "propagate", "statistics"]

METHODS = ("monte_carlo", "lhs", "sobol", "chaos")
PERCENTILES = (2.5, 5.0, 50.0, 95.0, 97.5)
#: largest total degree of the chaos used for Sobol' indices
MAX_DEGREE = 4


class UncertaintyResult(NamedTuple):
    """The result of :func:`propagate` (the same on every rank).

    Attributes:
        method, seed: as given; runs: samples solved (this run and before a restart).
        inputs: input names; outputs: the reported output names.
        design: (N, d) the inputs of every sample (SI).
        values: (N, k) the reported outputs (NaN for failed samples).
        failed: index -> error of the samples that failed.
        statistics: output -> mean, std, mean_error, percentiles, histogram.
        sobol: output -> {"first": {input: S_i}, "total": {input: S_Ti}, "q2": Q², "degree"}.
        convergence: output -> rows (n, mean, std, mean_error).
        wall_time_s: this run's wall time; resumed: samples read from the state folder.
    """

    method: str
    seed: int
    runs: int
    inputs: list[str]
    outputs: list[str]
    design: np.ndarray
    values: np.ndarray
    failed: dict[int, str]
    statistics: dict[str, dict[str, Any]]
    sobol: dict[str, dict[str, Any]]
    convergence: dict[str, list[list[float]]]
    wall_time_s: float
    resumed: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the samples)."""
        d = self._asdict()
        d["design"] = d["values"] = None
        return d


def design(inputs: Sequence[Distribution], method: str, n: int, seed: int) -> np.ndarray:
    """(n, d) input samples (the same on every rank)."""
    ot = openturns()
    if method not in METHODS:
        raise InputError(f"unknown method {method!r} (methods: {', '.join(METHODS)})")
    if not isinstance(n, int) or n < 2:
        raise InputError(f"samples must be an integer >= 2, got {n!r}")
    ot.RandomGenerator.SetSeed(int(seed))
    dist = joint(inputs, continuous=method == "chaos")
    if method == "monte_carlo":
        return np.array(dist.getSample(n))
    if method == "lhs":
        return np.array(ot.LHSExperiment(dist, n).generate())
    seq = ot.SobolSequence(len(inputs))
    return np.array(ot.LowDiscrepancyExperiment(seq, dist, n, False).generate())


def _basis(inputs: Sequence[Distribution]) -> Any:
    ot = openturns()
    return ot.OrthogonalProductPolynomialFactory(
        [
            ot.StandardDistributionPolynomialFactory(
                ot.AdaptiveStieltjesAlgorithm(d.marginal(True))
            )
            for d in inputs
        ]
    )


def chaos(
    inputs: Sequence[Distribution], X: np.ndarray, y: np.ndarray, degree: int | None = None
) -> tuple[Any, int] | None:
    """A least-squares polynomial chaos of one output and its degree, or None (too few samples).

    ``degree``: total degree (default: the largest ≤ :data:`MAX_DEGREE` with at most N/2
    basis functions).
    """
    ot = openturns()
    ok = np.isfinite(y)
    X, y = X[ok], y[ok]
    fac = _basis(inputs)
    enum = fac.getEnumerateFunction()
    if degree is None:
        cand = [
            p for p in range(1, MAX_DEGREE + 1) if enum.getStrataCumulatedCardinal(p) <= len(y) / 2
        ]
        if not cand:
            return None
        degree = cand[-1]
    size = enum.getStrataCumulatedCardinal(degree)
    if size > len(y):
        return None
    algo = ot.FunctionalChaosAlgorithm(
        ot.Sample(X), ot.Sample(y.reshape(-1, 1)), joint(inputs, continuous=True),
        ot.FixedStrategy(fac, size), ot.LeastSquaresStrategy(),
    )  # fmt: skip
    algo.run()
    return algo.getResult(), degree


def _sobol(inputs: Sequence[Distribution], X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    ot = openturns()
    fitted = chaos(inputs, X, y)
    if fitted is None:
        return {}
    res, degree = fitted
    si = ot.FunctionalChaosSobolIndices(res)
    names = [d.name for d in inputs]
    q2 = float(ot.FunctionalChaosValidation(res).computeR2Score()[0]) if len(y) > 2 else math.nan
    return {
        "first": {n: float(si.getSobolIndex(i)) for i, n in enumerate(names)},
        "total": {n: float(si.getSobolTotalIndex(i)) for i, n in enumerate(names)},
        "q2": q2,
        "degree": degree,
    }


def statistics(y: np.ndarray, bins: int = 30) -> dict[str, Any]:
    """Mean, std, the standard error of the mean, percentiles and a histogram of samples."""
    y = y[np.isfinite(y)]
    n = len(y)
    if n == 0:
        return {"samples": 0}
    counts, edges = np.histogram(y, bins=min(bins, max(n // 5, 1)))
    std = float(np.std(y, ddof=1)) if n > 1 else math.nan
    return {
        "samples": n,
        "mean": float(np.mean(y)),
        "std": std,
        "mean_error": std / math.sqrt(n),
        "percentiles": {f"p{p:g}": float(np.percentile(y, p)) for p in PERCENTILES},
        "min": float(y.min()),
        "max": float(y.max()),
        "histogram": {"counts": counts.tolist(), "edges": edges.tolist()},
    }


def _chaos_statistics(
    inputs: Sequence[Distribution], X: np.ndarray, y: np.ndarray, seed: int
) -> dict[str, Any]:
    """Mean and std from the chaos's coefficients; percentiles from 10⁵ of its draws."""
    ot = openturns()
    fitted = chaos(inputs, X, y, degree=None)
    if fitted is None:
        raise InputError(f"polynomial chaos: {len(y)} samples are too few for {len(inputs)} inputs")
    res = fitted[0]
    rv = ot.FunctionalChaosRandomVector(res)
    mean = float(rv.getMean()[0])
    std = math.sqrt(max(float(rv.getCovariance()[0, 0]), 0.0))
    ot.RandomGenerator.SetSeed(int(seed) + 1)
    draws = np.array(res.getMetaModel()(joint(inputs, continuous=True).getSample(100_000))).ravel()
    out = statistics(draws)
    out.update(samples=int(np.sum(np.isfinite(y))), mean=mean, std=std, mean_error=0.0)
    return out


def _convergence(y: np.ndarray) -> list[list[float]]:
    n_all = len(y)
    sizes = sorted({n for k in range(1, 8) for n in (10**k // 10 * 10, 2 * 10**k // 10 * 10, 5 * 10**k // 10 * 10) if 2 <= n < n_all} | {n_all})  # fmt: skip
    rows = []
    for n in sizes:
        s = y[:n][np.isfinite(y[:n])]
        if len(s) > 1:
            sd = float(np.std(s, ddof=1))
            rows.append([float(n), float(np.mean(s)), sd, sd / math.sqrt(len(s))])
    return rows


class _Progress(ProgressBar):
    """The progress bar in samples."""

    def line(self, t: float, step: int, dt: float) -> str:
        frac = min(max(t / self.t_end, 0.0), 1.0) if self.t_end else 1.0
        elapsed = time.perf_counter() - self.start
        eta = elapsed * (1 - frac) / frac if frac > 0 else math.inf
        fill = round(frac * 30)
        return (
            f"[{'#' * fill}{'.' * (30 - fill)}] {100 * frac:5.1f}% sample {int(t)}/{int(self.t_end)} "
            f"elapsed {self._hms(elapsed)} ETA {self._hms(eta)}"
        )


def _run_samples(
    model: ParametricModel, inputs: Sequence[Distribution], X: np.ndarray, todo: list[int],
    store: SampleStore | None, group: Any, outputs: RunOutputs, bar: _Progress, done0: int,
    groups: int, chosen: list[str],
) -> dict[int, dict[str, Any]]:  # fmt: skip
    names = [d.name for d in inputs]
    base = model.nominal
    balance = needs_balance(chosen)
    out: dict[int, dict[str, Any]] = {}
    for k, i in enumerate(todo):
        values = {**base, **dict(zip(names, map(float, X[i]), strict=True))}
        try:
            model.set(values)
            model.problem.run()
            rec: dict[str, Any] = {"inputs": values, "outputs": outputs(balance)}
        except FeInterfaceError as e:  # raised on every rank of the group
            rec = {"inputs": values, "error": describe(e)}
        model.solves += 1
        out[i] = rec
        if store is not None:
            store.save(i, rec, group)
        bar.update(done0 + (k + 1) * groups, k + 1, 0.0)
    return out


def propagate(
    model: ParametricModel | Callable[[Any], ParametricModel],
    inputs: Sequence[Distribution],
    *,
    method: str = "sobol",
    samples: int = 1000,
    seed: int = 0,
    outputs: list[str] | None = None,
    probes: Any = None,
    junction: str | None = None,
    groups: int = 1,
    state: Any = None,
    restart: bool = True,
    progress: bool | None = None,
    comm: Any = None,
) -> UncertaintyResult:
    """Propagate the input distributions to the outputs (module docstring; collective).

    Args:
        model: a :class:`ParametricModel` of a steady problem, or a function
            ``comm -> ParametricModel`` (needed for ``groups`` > 1: each group builds its own).
        inputs: one distribution per uncertain parameter (names of model parameters; the
            others stay at their values).
        method: one of :data:`METHODS`.
        samples: number of model runs N.
        seed: random seed (Monte Carlo, Latin hypercube, chaos percentiles).
        outputs: output names (:mod:`~fe_interface.studies.outputs`; default: junction and
            interface jumps).
        probes: named points (mapping name -> point, m) of the outputs ``probes.<p>_K``.
        junction: the region whose maximum temperature is ``junction_K``.
        groups: groups of ranks that run samples side by side (divides the ranks).
        state: folder for the finished samples (resumable); None: kept in memory only.
        restart: resume from ``state`` if it holds samples of the same study.
        progress: progress bar (None: on a terminal, not under CI).
        comm: the communicator (default COMM_WORLD).

    Raises:
        InputError: bad inputs, method, samples or groups, an unknown output, a transient
            model.
    """
    t0 = time.perf_counter()
    world = MPI.COMM_WORLD if comm is None else comm
    if not isinstance(groups, int) or groups < 1 or world.size % groups:
        raise InputError(f"groups must divide the {world.size} ranks, got {groups!r}")
    if isinstance(model, ParametricModel) and groups > 1:
        raise InputError("groups > 1 needs a function comm -> ParametricModel")
    names = [d.name for d in inputs]
    if len(set(names)) != len(names) or not names:
        raise InputError(f"inputs: need distinct input names, got {names}")
    X = design(inputs, method, samples, seed)
    group = world.Split(world.rank % groups, world.rank) if groups > 1 else world
    try:
        m = model if isinstance(model, ParametricModel) else model(group)
        evaluator, chosen = _prepare(m, names, probes, junction, outputs)
        fingerprint = {
            "method": method, "samples": samples, "seed": seed, "outputs": chosen,
            "inputs": [[d.name, d.kind, dict(d.parameters)] for d in inputs],
        }  # fmt: skip
        store = SampleStore(state, fingerprint, world, restart) if state is not None else None
        done = dict(store.done) if store is not None else {}
        resumed = len(done)
        todo = [i for i in range(samples) if i not in done and i % groups == world.rank % groups]
        bar = _Progress(0, samples, progress)
        mine = _run_samples(
            m, inputs, X, todo, store, group, evaluator, bar, resumed, groups, chosen
        )
        bar.close(samples, samples, 0.0)
    finally:
        if group is not world:
            group.Free()
    for part in world.allgather(mine if world.rank < groups else {}):  # the groups' first ranks
        done.update(part)
    return _summarise(method, seed, inputs, chosen, X, done, time.perf_counter() - t0, resumed)


def _prepare(
    m: ParametricModel, names: list[str], probes: Any, junction: str | None, outputs: Any
) -> tuple[RunOutputs, list[str]]:
    """The output evaluator (at the nominal values) and the chosen outputs."""
    if m.transient:
        raise InputError("uncertainty studies of transient problems are not supported")
    missing = [n for n in names if n not in m.names]
    if missing:
        raise InputError(f"inputs {missing} are not parameters of the model ({m.names})")
    m.set(m.nominal)
    m.problem.run()
    evaluator = RunOutputs(m.problem, probes, junction)
    return evaluator, select(evaluator(), outputs)


def _summarise(
    method: str, seed: int, inputs: Sequence[Distribution], chosen: list[str], X: np.ndarray,
    records: dict[int, dict[str, Any]], wall: float, resumed: int,
) -> UncertaintyResult:  # fmt: skip
    n = len(X)
    failed = {i: str(r["error"]) for i, r in records.items() if "error" in r}
    rows = [records[i].get("outputs") or dict.fromkeys(chosen, math.nan) for i in range(n)]
    Y = as_array(rows, chosen)
    stats, sobol, conv = {}, {}, {}
    for j, name in enumerate(chosen):
        y = Y[:, j]
        stats[name] = _chaos_statistics(inputs, X, y, seed) if method == "chaos" else statistics(y)
        sobol[name] = _sobol(inputs, X, y)
        conv[name] = _convergence(y)
    return UncertaintyResult(
        method, seed, n - len(failed), [d.name for d in inputs], chosen, X, Y, failed, stats,
        sobol, conv, wall, resumed,
    )  # fmt: skip
