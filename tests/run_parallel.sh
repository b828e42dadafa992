#!/usr/bin/env bash
# The MPI pass of the test suite: one MPI job for tests/unit, one per system-test module
# and per system-test subfolder (so that one module's state, or a failure on one rank,
# cannot desynchronise the next).  Slow tests are skipped under MPI (they run once, in
# the serial pass).  Prints each job's wall time.
#   bash tests/run_parallel.sh [NP]        (default NP = 2; from the repository root)
set -uo pipefail
cd "$(dirname "$0")/.."
VENV="${FE_INTERFACE_VENV:-.venv}"
NP="${1:-2}"
export PYTHONDONTWRITEBYTECODE=1 OMP_NUM_THREADS=1
failed=0
for f in tests/unit tests/system/test_*.py tests/system/*/ tests/test_*.py; do
  [ -e "$f" ] || continue
  echo "-- $f"
  start=$SECONDS
  "$VENV/bin/mpirun" -n "$NP" "$VENV/bin/python" -m pytest "$f" -q -p no:cacheprovider || failed=1
  echo "-- $f: $((SECONDS - start)) s"
done
exit "$failed"
