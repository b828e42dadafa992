#!/usr/bin/env bash
# fe_interface: set up and run.  Usage:
#   bash run.sh demo    set everything up, run the flagship demo (two blocks in contact)
#   bash run.sh test    set everything up, run the lint checks, then the whole test suite
#                       (serial, then mpirun -n 2)
#   bash run.sh lint    set everything up, run only the lint checks (ruff check, ruff format
#                       --check, mypy on the package)
#   bash run.sh setup   only create .venv and install (what docker/Dockerfile runs)
set -euo pipefail
cd "$(dirname "$0")"
VENV="${FE_INTERFACE_VENV:-.venv}"

find_python() {
  # Python >= 3.12 (the dolfinx wheel is abi3): the pyenv shim honours .python-version
  # (3.12 on the host); else python3 (Debian trixie: 3.13) or python3.12 on PATH.
  for c in python python3 python3.13 python3.12; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 12))' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1 && pyenv which python3.12 >/dev/null 2>&1; then
    pyenv which python3.12; return 0
  fi
  echo "run.sh: Python >= 3.12 not found (install it, or use pyenv: 'pyenv install 3.12')" >&2
  return 1
}

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$(find_python)" -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[dolfinx,test,uq,rough]"
}

lint() {
  # the style, docstring and complexity rules (ruff) and the types of the package (mypy;
  # [tool.mypy] in pyproject.toml); any finding fails CI
  local failed=0
  echo "== ruff check =="
  "$VENV/bin/ruff" check . || failed=1
  echo "== ruff format --check =="
  "$VENV/bin/ruff" format --check . || failed=1
  echo "== mypy (fe_interface) =="
  "$VENV/bin/mypy" || failed=1
  return "$failed"
}

run_tests() {
  export PYTHONDONTWRITEBYTECODE=1 OMP_NUM_THREADS=1
  local start=$SECONDS failed=0
  # the serial pass: single-process tests, two at a time on a multi-core machine
  # (pytest-xdist; one test file per worker at a time, so module fixtures run once)
  local workers
  workers="$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 1)"
  [ "$workers" -gt 4 ] && workers=4
  echo "== serial ($workers pytest workers) =="
  if [ "$workers" -gt 1 ]; then
    "$VENV/bin/python" -m pytest tests -q -p no:cacheprovider -n "$workers" --dist loadfile || failed=1
  else
    "$VENV/bin/python" -m pytest tests -q -p no:cacheprovider || failed=1
  fi
  echo "== serial: $((SECONDS - start)) s"
  echo "== mpirun -n 2 (four MPI jobs; slow studies run serially only) =="
  bash tests/run_parallel.sh 2 || failed=1
  echo "== total: $((SECONDS - start)) s"
  return "$failed"
}

case "${1:-}" in
  setup) setup ;;
  demo) setup; shift; "$VENV/bin/python" demos/demo_two_blocks.py "$@" ;;
  test) setup; lint_rc=0; lint || lint_rc=1; run_tests; exit "$lint_rc" ;;
  lint) setup; lint ;;
  *) sed -n '2,9p' "$0"; exit 2 ;;
esac
