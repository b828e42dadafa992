"""Property-based bad input for case files (hypothesis): whatever junk is put at
whatever key path, :func:`parse_case` accepts the case or raises :class:`CaseError` --
never another exception; random bytes as a case file likewise."""

from __future__ import annotations

import math

import numpy as np
import pytest
from relcases import BASE, TRANSIENT, spoil

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fe_interface.case import CaseError, load_case, parse_case  # noqa: E402


def _leaf_paths(d, prefix=""):
    for k, v in d.items():
        p = f"{prefix}.{k}" if prefix else k
        yield p
        if isinstance(v, dict):
            yield from _leaf_paths(v, p)


PATHS = sorted(
    set(_leaf_paths(BASE))
    | set(_leaf_paths(TRANSIENT))
    | {
        "sources.a.value",
        "outputs.line.start",
        "outputs.line.points",
        "analysis.degree",
        "analysis.axisymmetric",
        "interfaces.interface0.between",
        "solver.petsc_options.ksp_rtol",
        "solver.petsc_options.pc_type",
        "analysis.checkpoint",
        "analysis.adaptive",
        "analysis.dt_max",
        "boundaries.x0.type",
    }
)

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["../x", "a/b", "", ".", "..", "copper", "perfect", "transient", "\x00"]),
    st.sampled_from([np.float32(-1.0), np.int64(0), np.float64(math.nan), np.bool_(True)]),
)
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(base=st.sampled_from([BASE, TRANSIENT]), path=st.sampled_from(PATHS), value=junk)
def test_junk_at_any_key_path(base, path, value):
    data = spoil(base, path, value)
    try:
        parse_case(data)
    except CaseError as e:
        msg = str(e)
        assert msg and "Traceback" not in msg


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(content=st.binary(max_size=200))
def test_random_bytes_as_case_file(tmp_path_factory, content):
    p = tmp_path_factory.mktemp("fuzz") / "case.toml"
    p.write_bytes(content)
    try:
        load_case(p)
    except CaseError as e:
        assert str(e)


@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(
    value=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5), st.text(max_size=5)
    )
)
def test_junk_transient_times(value):
    for key in ("t_end", "dt", "tol", "dt_min", "dt_max", "output_every", "checkpoint_every"):
        try:
            case = parse_case(spoil(TRANSIENT, f"analysis.{key}", value))
        except CaseError:
            continue
        tr = case.transient
        assert tr.t_end > 0 and tr.dt > 0 and tr.output_every >= 1 and tr.checkpoint_every >= 1
        assert tr.tol > 0 and math.isfinite(tr.t_end / tr.dt)
