"""TOML case files: validation with key paths (before any computation) and the
example cases of ``cases/`` (serially and under ``mpirun -n 2``)."""

import copy
import json
import tomllib
from pathlib import Path

from mpi4py import MPI

import pytest
from helpers.cases import DELETE, errors_of, with_key

from fe_interface.case import LAWS, CaseError, load_case, parse_case, run_case

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"


def base() -> dict:
    """A small valid case (two 2D layers, resistance)."""
    return {
        "name": "t",
        "geometry": {
            "builder": "layered_stack",
            "parameters": {
                "thicknesses": [0.01, 0.01],
                "width": 0.005,
                "names": ["copper", "steel"],
                "cell_type": "hex",
                "mesh_size": 0.0025,
            },
        },
        "materials": {"copper": {"conductivity": 398.0}, "steel": {"library": "stainless_304"}},
        "interfaces": {"interface0": {"law": "resistance", "R": 1e-4, "plus": "copper"}},
        "boundaries": {
            "x0": {"type": "temperature", "value": 350.0},
            "x1": {"type": "convection", "h": 1000.0, "T_inf": 300.0},
        },
        "solver": {"type": "direct"},
    }


def with_(path: str, value, data: dict | None = None) -> dict:
    """Copy of ``data`` (default :func:`base`) with ``path`` ('a.b.c') set (None deletes)."""
    return with_key(data or base(), path, DELETE if value is None else value)


def test_valid_case_parses():
    case = parse_case(base())
    assert case.builder == "layered_stack"
    assert case.materials["steel"]["conductivity"] == pytest.approx(14.9)
    assert case.interfaces[0].law.conductance() == pytest.approx(1e4)
    assert [b.kind for b in case.boundaries] == ["temperature", "convection"]
    assert case.files == ("xdmf", "vtu", "summary")


@pytest.mark.parametrize(
    "path, value, expected",
    [
        ("materials.copper.conductivity", -3.0, "materials.copper.conductivity: must be > 0"),
        ("materials.copper.conductivity", "abc", "materials.copper.conductivity: must be a number"),
        ("materials.copper.conductivity", True, "materials.copper.conductivity: must be a number"),
        (
            "materials.copper.conductivty",
            3.0,
            "materials.copper.conductivty: unknown key; did you mean 'conductivity'",
        ),
        ("materials.copper.density", 0.0, "materials.copper.density: must be > 0"),
        ("materials.steel.library", "unobtainium", "materials.steel.library: unknown value"),
        ("colour", "red", "colour: unknown key"),
        ("geometry.builder", "teapot", "geometry.builder: unknown value 'teapot'"),
        (
            "geometry.parameters.thicknesses",
            None,
            "geometry.parameters.thicknesses: missing required value",
        ),
        (
            "geometry.parameters.widht",
            1.0,
            "geometry.parameters.widht: unknown key; did you mean 'width'",
        ),
        ("interfaces.interface0.R", -1e-4, "interfaces.interface0.R: must be > 0"),
        ("interfaces.interface0.R", None, "interfaces.interface0.R: missing required value"),
        ("interfaces.interface0.law", "glue", "interfaces.interface0.law: unknown law 'glue'"),
        ("interfaces.interface0.h", 5.0, "interfaces.interface0.h: unknown key"),
        (
            "interfaces.interface0.between",
            ["a"],
            "interfaces.interface0.between: must be two different region names",
        ),
        ("boundaries.x0.type", "dirichlet", "boundaries.x0.type: unknown value 'dirichlet'"),
        ("boundaries.x0.value", None, "boundaries.x0.value: missing required value"),
        ("boundaries.x1.h", -5.0, "boundaries.x1.h: must be >= 0"),
        ("boundaries.x1.T_inf", "hot", "boundaries.x1.T_inf: must be a number"),
        ("sources.copper", {"value": "lots"}, "sources.copper.value: must be a number"),
        ("analysis.degree", 4, "analysis.degree: must be one of 1, 2, 3"),
        ("analysis.type", "transient", "analysis.t_end: missing required value"),
        ("analysis.type", "quasi", "analysis.type: unknown value 'quasi'"),
        ("analysis.t_end", 10.0, "analysis.t_end: unknown key"),
        ("transient", {"t_end": 10.0, "dt": 1.0}, "transient: unknown key"),
        (
            "boundaries.x0.value",
            {"table": [[0.0, 300.0], [1.0, 350.0]]},
            'boundaries.x0.value: a time-dependent value needs analysis.type = "transient"',
        ),
        ("solver.type", "magic", "solver.type: unknown value 'magic'"),
        (
            "solver.petsc_options",
            {"ksp_rtol": [1]},
            "solver.petsc_options.ksp_rtol: must be a string",
        ),
        ("outputs.files", ["xdmf", "pdf"], "outputs.files: unknown file kind(s) ['pdf']"),
        (
            "outputs.line",
            {"start": [0, 0], "end": [0, 0]},
            "outputs.line: start and end must differ",
        ),
        ("geometry", None, "geometry: missing required table"),
        ("materials", "copper", "materials: must be a table"),
    ],
)
def test_errors_name_the_key_path(path, value, expected):
    assert expected in errors_of(with_(path, value))


def test_all_errors_reported_at_once():
    d = with_("materials.copper.conductivity", -1.0)
    d = with_("boundaries.x0.value", None, d)
    d = with_("interfaces.interface0.R", 0.0, d)
    msg = errors_of(d)
    assert "3 problems" in msg
    for p in ("materials.copper.conductivity", "boundaries.x0.value", "interfaces.interface0.R"):
        assert p in msg


def test_error_is_valueerror():
    from fe_interface.errors import InputError

    assert issubclass(CaseError, InputError) and issubclass(CaseError, ValueError)


def test_geometry_exactly_one_source():
    d = with_("geometry.mesh", "part.msh")
    assert "geometry: give exactly one of 'builder'" in errors_of(d)
    d = {"mesh": "does_not_exist.msh"}
    assert "geometry.mesh: file not found" in errors_of(with_("geometry", d))


def test_laws_by_name_and_their_parameters():
    surf = {"sigma": 1e-6, "k": 50.0}
    contact = {
        "law": "contact",
        "solid": {
            "law": "cmy_plastic",
            "surface_plus": surf,
            "surface_minus": surf,
            "pressure": 1e6,
            "H_c": {"material": "SS304"},
        },
        "gas": {
            "law": "gas_gap",
            "gas": "air",
            "sigma": 1.4e-6,
            "p_gas": 101325.0,
            "accommodation_plus": 0.9,
            "accommodation_minus": 0.9,
            "Y": 4e-6,
            "T_gas": 300.0,
        },
        "radiation": {"law": "radiation", "emissivity_plus": 0.3, "emissivity_minus": 0.3},
    }
    series = {
        "law": "series",
        "contact": contact,
        "kapitza": {"law": "kapitza", "material_1": "Si", "material_2": "Al"},
    }
    case = parse_case(with_("interfaces.interface0", series))
    law = case.interfaces[0].law
    assert type(law).__name__ == "SeriesResistance"
    assert type(law.contact.solid).__name__ == "CMYPlasticConductance"
    h = law.conductance(300.0, 300.0)
    assert 0 < h < law.contact.conductance(300.0, 300.0)
    # class names work too, and nested errors name the nested path
    bad = copy.deepcopy(contact)
    bad["solid"]["surface_plus"] = {"sigma": -1.0, "k": 50.0}
    bad["gas"]["gas"] = "xenon"
    msg = errors_of(with_("interfaces.interface0", bad))
    assert "interfaces.interface0.solid.surface_plus.sigma: must be > 0" in msg
    assert "interfaces.interface0.gas.gas: unknown value 'xenon'" in msg
    k = parse_case(
        with_(
            "interfaces.interface0",
            {"law": "KapitzaConductance", "material_1": "Si", "material_2": "Cu"},
        )
    )
    assert k.interfaces[0].law.temperature_dependent
    msg = errors_of(
        with_("interfaces.interface0", {"law": "kapitza", "material_1": "Si", "material_2": "Xx"})
    )
    assert "interfaces.interface0.material_2: unknown phonon material 'Xx'" in msg
    # a declared choice is checked by the reader, at the parameter's path
    msg = errors_of(
        with_(
            "interfaces.interface0",
            {"law": "kapitza", "material_1": "Si", "material_2": "Cu", "model": "xyz"},
        )
    )
    assert "interfaces.interface0.model: unknown value 'xyz' (choices: amm, dmm, prl)" in msg
    # the law's own checks (a cross-field constraint) are reported at the law's path
    msg = errors_of(with_("interfaces.interface0", {"law": "contact"}))
    assert "interfaces.interface0: contact: ContactConductance needs a solid, gas or" in msg
    assert set(LAWS) >= {"perfect", "conductance", "resistance", "kapitza", "contact", "series"}


def test_mesh_checks(shared_tmp):
    # a region without a material
    case = parse_case(with_("materials.steel", None))
    with pytest.raises(CaseError, match="materials: region 'steel' has no material"):
        case.check_mesh(case.build_mesh())
    # names that are not in the mesh
    d = with_("materials.brass", {"conductivity": 100.0})
    d = with_("boundaries.top", {"type": "heat_flux", "value": 1.0}, d)
    d = with_("interfaces.interface0.plus", "brass", d)
    case = parse_case(d)
    with pytest.raises(CaseError) as e:
        case.check_mesh(case.build_mesh())
    msg = str(e.value)
    assert "materials.brass: no region 'brass' in the mesh" in msg
    assert "boundaries.top: no facet group 'top'" in msg
    assert "interfaces.interface0.plus: region 'brass' is not on either side" in msg
    # an interface as a boundary, a boundary as an interface
    d = with_("boundaries.interface0", {"type": "temperature", "value": 300.0})
    d = with_("interfaces.x1", {"law": "resistance", "R": 1.0}, d)
    case = parse_case(d)
    with pytest.raises(CaseError) as e:
        case.check_mesh(case.build_mesh())
    assert "boundaries.interface0: this facet group is an interface" in str(e.value)
    assert "interfaces.x1: the interface: some of its facets lie on the outer boundary" in str(
        e.value
    )


def test_check_refuses_what_the_run_refuses():
    """An interface group with facets inside one region: the check names the interface
    (it used to pass the check and fail in the run without a key path)."""
    import numpy as np
    from dolfinx import mesh as dmesh

    case = parse_case(base())
    tm = case.build_mesh()
    m = tm.mesh
    tdim = m.topology.dim
    m.topology.create_connectivity(tdim - 1, tdim)
    interior = dmesh.locate_entities(m, tdim - 1, lambda x: np.isclose(x[0], 0.005))
    tag = tm.facet_names["interface0"]
    ft = tm.facet_tags
    idx = np.concatenate([ft.indices, interior]).astype(np.int32)
    vals = np.concatenate([ft.values, np.full(interior.size, tag, np.int32)])
    order = np.argsort(idx)
    tm = tm._replace(facet_tags=dmesh.meshtags(m, tdim - 1, idx[order], vals[order]))
    with pytest.raises(CaseError, match=r"interfaces\.interface0: the interface must separate"):
        case.check_mesh(tm)


def test_interface_between_regions_that_never_touch():
    d = base()
    d["geometry"]["parameters"]["thicknesses"] = [0.01, 0.01, 0.01]
    d["geometry"]["parameters"]["names"] = ["copper", "steel", "nickel"]
    d["materials"]["nickel"] = {"library": "nickel"}
    d["interfaces"] = {"cu_ni": {"law": "resistance", "R": 1e-4, "between": ["copper", "nickel"]}}
    case = parse_case(d)
    with pytest.raises(
        CaseError, match=r"interfaces.cu_ni.between: regions 'copper' and 'nickel' never touch"
    ):
        case.check_mesh(case.build_mesh())


def test_load_case_file_errors(shared_tmp):
    p = shared_tmp / "bad.toml"
    if MPI.COMM_WORLD.rank == 0:
        p.write_text("name = 'x'\n[materials\n")
    MPI.COMM_WORLD.barrier()
    with pytest.raises(CaseError, match="not valid TOML"):
        load_case(p)
    with pytest.raises(CaseError, match="case file not found"):
        load_case(shared_tmp / "nope.toml")


def write_two_squares_msh(path: Path) -> None:
    """Two unit-cm squares side by side, physical groups for the cells and the two
    end faces only (no interface group): the interface comes from 'between'."""
    import gmsh

    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    try:
        gmsh.model.add("two_squares")
        occ = gmsh.model.occ
        a = occ.addRectangle(0, 0, 0, 0.01, 0.01)
        b = occ.addRectangle(0.01, 0, 0, 0.01, 0.01)
        occ.fragment([(2, a)], [(2, b)])
        occ.synchronize()
        left = [e for _, e in gmsh.model.getEntities(2) if occ.getCenterOfMass(2, e)[0] < 0.01]
        right = [e for _, e in gmsh.model.getEntities(2) if occ.getCenterOfMass(2, e)[0] > 0.01]
        gmsh.model.addPhysicalGroup(2, left, 1, name="copper")
        gmsh.model.addPhysicalGroup(2, right, 2, name="steel")
        lines = gmsh.model.getEntities(1)
        x0 = [e for _, e in lines if abs(occ.getCenterOfMass(1, e)[0]) < 1e-9]
        x1 = [e for _, e in lines if abs(occ.getCenterOfMass(1, e)[0] - 0.02) < 1e-9]
        gmsh.model.addPhysicalGroup(1, x0, 1, name="x0")
        gmsh.model.addPhysicalGroup(1, x1, 2, name="x1")
        gmsh.option.setNumber("Mesh.MeshSizeMax", 0.002)
        gmsh.model.mesh.generate(2)
        gmsh.write(str(path))
    finally:
        gmsh.finalize()


def test_msh_file_and_between(shared_tmp):
    """A .msh path relative to the case file; the interface facets from 'between'."""
    folder = shared_tmp / "sub"
    if MPI.COMM_WORLD.rank == 0:
        folder.mkdir()
        write_two_squares_msh(folder / "squares.msh")
    MPI.COMM_WORLD.barrier()
    d = base()
    d["geometry"] = {"mesh": "squares.msh", "gdim": 2}
    d["interfaces"] = {
        "joint": {"law": "resistance", "R": 1e-4, "plus": "copper", "between": ["steel", "copper"]}
    }
    d["outputs"] = {"files": ["summary"]}
    case = parse_case(d, base_dir=folder)
    assert case.mesh_file == (folder / "squares.msh").resolve()
    r = run_case(case, out=shared_tmp / "msh_out")
    (s,) = r.interfaces
    assert s.name == "joint" and s.plus == "copper"
    # 1D: q = (350 - 300) / (L/k_cu + R + L/k_st + 1/h), jump = q R (per m of depth)
    q = 50.0 / (0.01 / 398.0 + 1e-4 + 0.01 / 14.9 + 1e-3)
    assert s.heat_flow_W / s.area_m2 == pytest.approx(q, rel=1e-8)
    assert s.mean_jump_K == pytest.approx(q * 1e-4, rel=1e-8)
    # 'between' on facets that already are a group: named in the error
    d2 = base()
    d2["interfaces"] = {"joint": {"law": "resistance", "R": 1e-4, "between": ["steel", "copper"]}}
    case = parse_case(d2)
    with pytest.raises(CaseError, match="already form the facet group 'interface0'"):
        case.check_mesh(case.build_mesh())


def expected_two_blocks() -> dict:
    q = 100.0 / 5e-4
    return {"jump": q * 1.5e-4, "flow": 100.0}


@pytest.mark.parametrize("name", ["two_blocks", "nanowire_kapitza"])
def test_example_cases_run(name, shared_tmp):
    case = load_case(CASES / f"{name}.toml")
    out = shared_tmp / name
    r = run_case(case, out=out)
    (s,) = r.interfaces
    assert r.balance.relative_residual < 1e-8
    if name == "two_blocks":
        ref = expected_two_blocks()
        assert s.mean_jump_K == pytest.approx(ref["jump"], rel=1e-9)
        assert s.heat_flow_W == pytest.approx(ref["flow"], rel=1e-9)
    else:
        # q'' = q''' r / 2 through the Si/Au boundary, jump = q''/h_K(T)
        from fe_interface.model.laws import KapitzaConductance

        q = 1e15 * 0.5e-6 / 2
        assert s.heat_flow_W / s.area_m2 == pytest.approx(q, rel=2e-2)  # polygonal circle
        h = KapitzaConductance("Si", "Au").conductance(301.0, 300.3)
        assert s.mean_jump_K == pytest.approx(q / h, rel=2e-2)
        assert r.solve.newton_iterations >= 1
    for f in ("xdmf", "vtu", "summary", "line_plot"):
        assert Path(r.files[f]).is_file(), f
    doc = json.loads(Path(r.files["summary"]).read_text())
    assert doc["case"]["name"] == name
    assert doc["interfaces"][0]["mean_jump_K"] == pytest.approx(s.mean_jump_K)
    assert doc["solve"]["ranks"] == MPI.COMM_WORLD.size


def test_example_cases_are_documented_toml():
    for f in sorted(CASES.glob("*.toml")):
        data = tomllib.loads(f.read_text())
        parse_case(data, base_dir=CASES)  # valid
        assert data.get("description"), f


def test_docs_examples_parse():
    """Every complete ```toml block of docs/case-format.md marked 'case' is valid."""
    doc = (ROOT / "docs" / "case-format.md").read_text()
    blocks = [b.split("```", 1)[0] for b in doc.split("```toml\n")[1:]]
    full = [b for b in blocks if b.lstrip().startswith("# full case")]
    assert full
    for b in full:
        data = tomllib.loads(b)
        parse_case(data, base_dir=CASES)


# -------------------------------------------------------------------------- plots
def two_layer_result(shared_tmp, name="plots", **outputs):
    d = base()
    d["outputs"] = {"files": ["summary", "plots"], **outputs}
    return run_case(parse_case(d), out=shared_tmp / name)


def read_csv(path: Path):
    import numpy as np

    comments = [ln for ln in path.read_text().splitlines() if ln.startswith("#")]
    data = np.genfromtxt(path, delimiter=",", names=True, skip_header=len(comments))
    return comments, data


def test_line_plot_has_the_jump(shared_tmp):
    import numpy as np

    r = two_layer_result(shared_tmp, line={"start": [0.0, 0.0025], "end": [0.02, 0.0025]})
    (s,) = r.interfaces
    png = Path(r.files["line_plot"])
    assert png.is_file() and png.stat().st_size > 5000
    comments, data = read_csv(png.with_suffix(".csv"))
    assert any("crossing" in c for c in comments)
    # the samples on both sides of the crossing differ by the interface jump
    i = int(np.flatnonzero(np.diff(data["region"]) != 0)[0])
    assert data["distance_m"][i + 1] - data["distance_m"][i] < 1e-9
    # along +x we go from copper (x0, hot) to steel: T_after - T_before = -(T_cu - T_st)
    assert data["temperature_K"][i + 1] - data["temperature_K"][i] == pytest.approx(
        -s.mean_jump_K, rel=1e-6
    )
    # and everywhere else T is continuous (no step between same-region samples)
    same = np.diff(data["region"]) == 0
    assert np.max(np.abs(np.diff(data["temperature_K"])[same])) < 0.2 * abs(s.mean_jump_K)
    # the profile object agrees
    from fe_interface.postprocessing.sampling import line_profile

    prof = line_profile(r.problem, [0.0, 0.0025], [0.02, 0.0025], n=50)
    (c,) = prof.crossings
    assert c["distance"] == pytest.approx(0.01, abs=1e-9)
    assert (c["region_before"], c["region_after"]) == ("copper", "steel")
    assert c["jump_K"] == pytest.approx(-s.mean_jump_K, rel=1e-6)


def test_line_profile_default_line_and_thin_layer(shared_tmp):
    """The default line crosses every interface, including a layer thinner than the
    sample spacing (found by the bisection)."""
    from fe_interface.postprocessing.sampling import line_profile

    d = base()
    d["geometry"]["parameters"] |= {
        "thicknesses": [0.01, 0.0005, 0.01],
        "names": ["copper", "steel", "nickel"],
        "mesh_size": 0.0005,
        "cell_type": "simplex",
    }
    d["materials"]["nickel"] = {"library": "nickel"}
    d["interfaces"] = {
        "interface0": {"law": "resistance", "R": 1e-4},
        "interface1": {"law": "conductance", "h": 5e3},
    }
    d["outputs"] = {"files": []}
    r = run_case(parse_case(d), out=shared_tmp / "thin")
    prof = line_profile(r.problem, n=5)
    names = [(c["region_before"], c["region_after"]) for c in prof.crossings]
    assert names == [("copper", "steel"), ("steel", "nickel")]
    for c, s in zip(prof.crossings, r.interfaces, strict=True):
        assert abs(c["jump_K"]) == pytest.approx(abs(s.mean_jump_K), rel=1e-4)


def test_interface_flux_plot(shared_tmp):
    import numpy as np

    r = two_layer_result(shared_tmp, name="flux")
    (s,) = r.interfaces
    png = Path(r.files["flux_plot_interface0"])
    assert png.is_file()
    _comments, data = read_csv(png.with_suffix(".csv"))
    assert np.sum(data["area_m2"]) == pytest.approx(s.area_m2, rel=1e-10)
    assert np.sum(data["flux_W_m2"] * data["area_m2"]) == pytest.approx(s.heat_flow_W, rel=1e-8)
    assert np.allclose(data["h_W_m2K"], 1e4)
    assert np.allclose(data["jump_K"], s.mean_jump_K, rtol=1e-8)


def test_h_vs_pressure_plot(shared_tmp):
    import numpy as np

    from fe_interface.io.plots import plot_h_vs_pressure
    from fe_interface.model.laws import CMYPlasticConductance, ContactPair, Surface

    pair = ContactPair(Surface(1e-6, 16.0), Surface(1e-6, 16.0))
    law = lambda P: CMYPlasticConductance(pair, P, 2e9).h  # noqa: E731
    P = np.geomspace(1e5, 1e7, 8)
    noise = 1 + 0.05 * np.sin(np.arange(P.size))
    h = np.array([law(p) for p in P]) * noise
    out = plot_h_vs_pressure(
        P,
        h,
        shared_tmp / "h_P.png",
        correlation=lambda x: [law(p) for p in x],
        correlation_label="CMY plastic",
    )
    assert Path(out["path"]).is_file()
    _a, b = out["fit"]
    assert b == pytest.approx(0.95, abs=0.03)  # CMY: h ~ P^0.95
    Pc, hc = out["correlation"]
    assert hc[0] == pytest.approx(law(Pc[0]))
    data = np.genfromtxt(shared_tmp / "h_P.csv", delimiter=",", names=True)
    assert np.allclose(data["h_W_m2K"], h)
    with pytest.raises(ValueError, match="log-log"):
        plot_h_vs_pressure([0.0, 1.0], [1.0, 2.0], shared_tmp / "bad.png")


# -------------------------------------------------------------------------- transient
def transient(**analysis) -> dict:
    """The base case as a transient analysis (materials with rho c_p)."""
    d = base()
    d["materials"] = {"copper": {"library": "copper"}, "steel": {"library": "stainless_304"}}
    d["analysis"] = {
        "type": "transient",
        "t_end": 2.0,
        "dt": 0.5,
        "initial_temperature": 300.0,
        **analysis,
    }
    d["outputs"] = {"files": ["xdmf", "summary"]}
    return d


@pytest.mark.parametrize(
    "path, value, expected",
    [
        ("analysis.dt", -1.0, "analysis.dt: must be > 0"),
        ("analysis.t_end", None, "analysis.t_end: missing required value"),
        ("analysis.initial_temperature", None, "analysis.initial_temperature: missing required"),
        ("analysis.initial_temperature", -5.0, "analysis.initial_temperature: must be > 0"),
        ("analysis.scheme", "rk4", "analysis.scheme: unknown value 'rk4'"),
        ("analysis.scheme", 0.3, "analysis.scheme: must be >= 0.5"),
        ("analysis.output_every", 0, "analysis.output_every: must be >= 1"),
        ("analysis.dt", 1e-12, "analysis.dt: t_end / dt = 2e+12 steps exceeds max_steps"),
        ("analysis.checkpoint", "../elsewhere", "analysis.checkpoint: must be a folder name"),
        ("analysis.tol", -1.0, "analysis.tol: must be > 0"),
        ("analysis.dt_min", 2.0, "analysis.dt_min: must be <= dt_max"),
        (
            "boundaries.x0.value",
            {"table": [[1.0, 300.0], [0.5, 350.0]]},
            "boundaries.x0.value.table: times must increase strictly",
        ),
        (
            "boundaries.x0.value",
            {"value": 350.0, "start": 1.0},
            "boundaries.x0.value.before: required",
        ),
        ("boundaries.x0.value", {"value": -350.0, "start": 1.0, "before": 300.0}, "must be > 0"),
        ("sources.copper", {"value": {"value": 1e6, "when": 1.0}}, "sources.copper.value.when"),
    ],
)
def test_transient_errors_name_the_key_path(path, value, expected):
    d = transient(dt_max=1.0)
    assert expected in errors_of(with_(path, value, d))


def test_time_values():
    d = transient()
    d["boundaries"]["x0"]["value"] = {"table": [[0.0, 300.0], [1.0, 350.0]]}
    d["sources"] = {"copper": {"value": {"value": 1e6, "start": 0.5}}}
    case = parse_case(d)
    from fe_interface.case.timevalues import time_value

    tv = case.boundaries[0].values["value"]
    assert tv(0.5) == pytest.approx(325.0) and tv(2.0) == pytest.approx(350.0)
    src = time_value(case.sources["copper"])
    assert src.at(0.25) == 0.0 and src.at(0.75) == 1e6


def test_transient_case_runs_and_restarts(shared_tmp):
    """Two layers from 300 K, 350 K switched on at x0: the table and the time series are
    written, the energy balance holds, and a restart continues to the same state."""
    import numpy as np

    d = transient(checkpoint="ck", checkpoint_every=2, scheme="crank_nicolson")
    out = shared_tmp / "tr"
    r = run_case(parse_case(d), out=out)
    assert r.transient.time == pytest.approx(2.0) and r.transient.steps == 4
    for k in ("xdmf", "csv", "summary"):
        assert Path(r.files[k]).is_file(), k
    h = r.transient.history
    # energy: stored = inflow over the run, step by step
    assert np.max(np.abs(h["balance_residual_J"])) < 1e-8 * np.max(np.abs(h["net_inflow_J"]))
    assert r.balance.time_s == pytest.approx(2.0)
    doc = json.loads(Path(r.files["summary"]).read_text())
    assert doc["transient"]["steps"] == 4 and doc["case"]["analysis"] == "transient"
    # longer run from the checkpoint = uninterrupted run
    d_long = transient(t_end=3.0, checkpoint="ck", checkpoint_every=2, scheme="crank_nicolson")
    d_restart = copy.deepcopy(d_long)
    d_restart["analysis"]["restart"] = True
    r2 = run_case(parse_case(d_restart), out=out)
    assert r2.transient.restarted_from == pytest.approx(2.0)
    r3 = run_case(parse_case(d_long), out=shared_tmp / "tr_full")
    a = r2.problem.temperature.x.array
    b = r3.problem.temperature.x.array
    if MPI.COMM_WORLD.size == 1:
        assert np.max(np.abs(a - b)) < 1e-10 * np.max(np.abs(b))
    (s2,), (s3,) = r2.interfaces, r3.interfaces
    assert s2.mean_jump_K == pytest.approx(s3.mean_jump_K, rel=1e-10)
    # another case's checkpoint is refused
    d_other = copy.deepcopy(d_restart)
    d_other["interfaces"]["interface0"]["R"] = 2e-4
    with pytest.raises(CaseError, match="written by another problem"):
        run_case(parse_case(d_other), out=out)


def test_transient_example_case_is_valid():
    case = load_case(CASES / "two_blocks_transient.toml")
    assert case.transient is not None and case.transient.adaptive
