#!/usr/bin/env bash
# Run a command in the fe_interface image with the current folder mounted at /case, the
# container's working directory: results/NAME/ appear here.  Builds the image on first use.
#
#   docker/run.sh fe-interface run my_case.toml                 (results/my_case/)
#   docker/run.sh mpirun -n 4 fe-interface run my_case.toml
#   docker/run.sh fe-interface render results/my_case/my_case.vtu --png my_case.png
#   docker/run.sh python my_script.py
#   docker/run.sh                                               (the flagship demo)
#
# FE_INTERFACE_ENGINE=docker|podman (default: docker if installed, else podman),
# FE_INTERFACE_IMAGE (default fe_interface), FE_INTERFACE_TARGET=full|solver (default full:
# with ParaView).  Behind a TLS-intercepting proxy set PIP_CERT to the host's CA bundle for
# the first build (passed as a build secret, not stored in the image).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
engine="${FE_INTERFACE_ENGINE:-}"
if [ -z "$engine" ]; then
  if command -v docker >/dev/null 2>&1; then engine=docker; else engine=podman; fi
fi
command -v "$engine" >/dev/null 2>&1 || { echo "docker/run.sh: neither docker nor podman found" >&2; exit 1; }
image="${FE_INTERFACE_IMAGE:-fe_interface}"

if ! "$engine" image inspect "$image" >/dev/null 2>&1; then
  build=(-f "$here/docker/Dockerfile" --target "${FE_INTERFACE_TARGET:-full}" -t "$image")
  if [ -n "${PIP_CERT:-}" ]; then build+=(--secret "id=pip_cert,src=$PIP_CERT"); fi
  echo "docker/run.sh: building $image ($engine build ${build[*]} $here)" >&2
  "$engine" build "${build[@]}" "$here"
fi

opts=(--rm -v "$PWD:/case")
# Docker runs containers as root: run as you, so that the results are yours.  (Rootless
# Podman maps the container's root to you already.)
if [ "$engine" = docker ]; then opts+=(--user "$(id -u):$(id -g)"); fi
if [ -t 0 ] && [ -t 1 ]; then opts+=(-it); fi
exec "$engine" run "${opts[@]}" "$image" "$@"
