#!/usr/bin/env bash
# Run a script in the fe_interface image with the current folder mounted at /case and
# results written to ./results on the host:  docker/run.sh /case/my_script.py
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
docker build -q -f "$here/docker/Dockerfile" -t fe_interface "$here" >/dev/null
mkdir -p results
exec docker run --rm -v "$PWD:/case" -v "$PWD/results:/work/results" fe_interface "$@"
