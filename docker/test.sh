#!/usr/bin/env bash
# Build docker/Dockerfile with buildah and check the image against the host install.
#
#   bash docker/test.sh            (root; installs buildah, podman, debootstrap with apt-get)
#
# 1. the base image: `debootstrap --variant=minbase trixie` made slim like the official
#    debian:trixie-slim and imported under that name (no registry needed; reused if present);
# 2. `buildah bud --isolation chroot` of docker/Dockerfile (default target: with ParaView),
#    pip given the host's CA bundle as a build secret (and any http(s) index as build args);
# 3. in a container (`buildah run --isolation chroot -v HOST:/case`): the flagship demo, the
#    example case, a transient run, `mpirun -n 2` of the demo, a ParaView render to PNG,
#    and the case as a non-root user;
# 4. the same runs on the host (.venv), then every JSON/CSV result compared number by
#    number (relative 1e-10, docker/compare.py); results in the mounted folder readable by
#    another host user; the JIT cache warmed at build time used (nothing compiled in the
#    container); no CA bundle or pip settings left in the image.
#
# Environment: FE_DOCKER_KEEP=1 keeps the image (localhost/fe_interface:test) and the work
# folder; BUILDAH_LAYERS=true caches build steps between runs (faster rebuilds, more disk);
# DEBIAN_MIRROR (default http://deb.debian.org/debian).  Without buildah/podman/debootstrap
# and no way to install them (not root, no apt-get) it prints one line and exits 0 (skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
IMAGE=localhost/fe_interface:test
BASE=docker.io/library/debian:trixie-slim
BASE_LABEL=fe_interface.base=debootstrap-1 # change when make_base changes: rebuilt
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
OTHER=4242 # a user id other than root, in neither passwd (as docker run -u "$(id -u)")
T0=$SECONDS
stamp() { while IFS= read -r line; do printf '%(%T)T %s\n' -1 "$line"; done; }
log() { printf '[docker/test %3ds] %s\n' $((SECONDS - T0)) "$*"; }
die() { printf '[docker/test %3ds] FAILED: %s\n' $((SECONDS - T0)) "$*" >&2; exit 1; }

# --- the runs: commands evaluated by bash in both places, SRC = the source tree (container
# /opt/fe_interface, host the checkout), OUT = the run's output folder (relative to /case) ---
DEMO='python "$SRC/demos/demo_two_blocks.py" --out "$OUT"'
CASE='fe-interface run "$SRC/cases/two_blocks.toml" --out "$OUT"'
# the transient case file (analysis.type = "transient": adaptive Crank-Nicolson, checkpoints)
TRANSIENT='fe-interface run "$SRC/cases/two_blocks_transient.toml" --out "$OUT"'
MPI='mpirun -n 2 python "$SRC/demos/demo_two_blocks.py" --out "$OUT"'
RENDER='fe-interface render case/two_blocks.vtu --png "$OUT/two_blocks.png"'
COMPARED=(demo case transient mpi) # run in both places, results compared

# --- tools ---------------------------------------------------------------------------
need_tools() { command -v buildah && command -v podman && command -v debootstrap; } >/dev/null
if ! need_tools; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing buildah podman debootstrap (apt-get)"
    apt_log="$(mktemp)"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends buildah podman debootstrap; } >"$apt_log" 2>&1 ||
      { tail -20 "$apt_log"; die "apt-get install buildah podman debootstrap"; }
    rm -f "$apt_log"
  else
    echo "docker/test.sh: skipped (needs buildah, podman and debootstrap: run as root with apt-get)"
    exit 0
  fi
fi
[ "$(id -u)" = 0 ] || {
  echo "docker/test.sh: skipped (buildah --isolation chroot needs root here)"
  exit 0
}

avail_gb=$(df -BG --output=avail /var/lib /var/tmp | awk 'NR>1 {gsub("G",""); print $1}' | sort -n | head -1)
[ "$avail_gb" -ge 12 ] || die "only ${avail_gb} GB free under /var (the build needs ~12 GB)"

WORK="$(mktemp -d /var/tmp/fe_interface-docker-test.XXXXXX)"
chmod 755 "$WORK" # the user OTHER must reach the results
CTR=""
cleanup() {
  local rc=$?
  [ -n "$CTR" ] && buildah rm "$CTR" >/dev/null 2>&1 || true
  if [ "${FE_DOCKER_KEEP:-0}" = 1 ]; then
    log "kept $IMAGE and $WORK"
  else
    buildah rmi "$IMAGE" >/dev/null 2>&1 || true
    rm -rf "$WORK"
  fi
  [ "$rc" = 0 ] || echo "docker/test.sh: FAILED (exit $rc)" >&2
}
trap cleanup EXIT

# --- the host side: runs in the background while the image builds -------------------
VENV="$REPO/.venv"
host_runs() {
  if [ ! -x "$VENV/bin/fe-interface" ]; then bash run.sh setup; fi
  mkdir -p "$WORK/host"
  local name
  for name in "${COMPARED[@]}"; do
    local cmd="${name^^}"
    (cd "$WORK/host" && PATH="$VENV/bin:$PATH" OMP_NUM_THREADS=1 SRC="$REPO" OUT="$name" \
      bash -c "set -e; ${!cmd}") >"$WORK/host_$name.log" 2>&1 ||
      { echo "host run '$name' failed:"; tail -20 "$WORK/host_$name.log"; return 1; }
  done
}
host_runs >"$WORK/host.log" 2>&1 &
HOST_PID=$!

# --- 1. the base image -----------------------------------------------------------------
make_base() {
  local root="$WORK/rootfs"
  log "base: debootstrap --variant=minbase trixie ($MIRROR)"
  debootstrap --variant=minbase trixie "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -20 "$WORK/debootstrap.log"; die "debootstrap"; }
  # as the official debian:trixie-slim: deb822 sources with updates and security, no
  # documentation, manual pages or translations, apt caches cleaned after installs
  rm -f "$root/etc/apt/sources.list" "$root/etc/hostname" "$root/etc/resolv.conf"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.pgp

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.pgp
EOF
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
  find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/{man,groff,info,linda,lintian}/* "$root"/var/lib/apt/lists/* \
    "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar --numeric-owner -C "$root" -c . |
    podman import -q --change 'CMD ["bash"]' --change "LABEL $BASE_LABEL" - "$BASE" >/dev/null
  rm -rf "$root"
}
# reused if present (ours, or an official one pulled earlier); an older base of ours is rebuilt
labels="$(buildah inspect --type image --format '{{.OCIv1.Config.Labels}}' "$BASE" 2>/dev/null ||
  echo none)"
if [ "$labels" != none ] && { [[ "$labels" != *fe_interface.base:* ]] ||
  [[ "$labels" == *"${BASE_LABEL/=/:}"* ]]; }; then
  log "base: $BASE present (reused)"
else
  [ "$labels" = none ] || buildah rmi "$BASE" >/dev/null
  t=$SECONDS
  make_base
  log "base: imported as $BASE in $((SECONDS - t)) s"
fi

# --- 2. the build: the host's CA bundle and pip index for the build only ---------------
host_pip_config() { # value of a pip setting on the host (env var wins), or nothing
  local env="$1" key="$2" v="${!1:-}"
  [ -n "$v" ] || v="$(python3 -m pip config get "global.$key" 2>/dev/null || true)"
  printf '%s' "$v"
}
BUILD_ARGS=()
CA=""
for c in "$(host_pip_config PIP_CERT cert)" "${REQUESTS_CA_BUNDLE:-}" "${SSL_CERT_FILE:-}" \
  /etc/ssl/certs/ca-certificates.crt; do
  if [ -n "$c" ] && [ -f "$c" ]; then CA="$(readlink -f "$c")"; break; fi
done
if [ -n "$CA" ]; then
  BUILD_ARGS+=(--secret "id=pip_cert,src=$CA")
  log "build: pip uses the host CA bundle $CA (build secret pip_cert: the install step only)"
fi
for pair in PIP_INDEX_URL:index-url PIP_EXTRA_INDEX_URL:extra-index-url; do
  v="$(host_pip_config "${pair%%:*}" "${pair#*:}")"
  urls=()
  for u in $v; do
    case "$u" in
      http://* | https://*) urls+=("$u") ;;
      *) log "build: host pip ${pair#*:} $u not forwarded (not reachable from a build)" ;;
    esac
  done
  if [ "${#urls[@]}" -gt 0 ]; then
    BUILD_ARGS+=(--build-arg "${pair%%:*}=${urls[*]}")
    log "build: pip ${pair#*:} ${urls[*]}"
  fi
done

log "build: buildah bud --isolation chroot --jobs 2 -f docker/Dockerfile -t $IMAGE"
t=$SECONDS
buildah bud --isolation chroot --jobs 2 --pull=never -f docker/Dockerfile -t "$IMAGE" \
  "${BUILD_ARGS[@]}" . 2>&1 | stamp >"$WORK/build.log" ||
  { tail -40 "$WORK/build.log"; die "image build"; }
BUILD_TIME=$((SECONDS - t))
SIZE="$(buildah images --format '{{.Size}}' "$IMAGE")"
log "build: $BUILD_TIME s, image size $SIZE"

CTR="$(buildah from --pull=never -q "$IMAGE")"

# --- 3. checks of the image itself: no CA bundle, no pip settings -----------------------
mnt="$(buildah mount "$CTR")"
for f in /run/host-ca.crt /run/secrets/pip_cert; do
  [ ! -e "$mnt$f" ] || die "$f is in the image"
done
if [ -n "$CA" ]; then
  size=$(stat -c %s "$CA") sum=$(sha256sum <"$CA" | cut -d' ' -f1)
  while IFS= read -r -d '' f; do
    [ "$(sha256sum <"$f" | cut -d' ' -f1)" != "$sum" ] || die "a copy of the host CA bundle is in the image: ${f#"$mnt"}"
  done < <(find "$mnt" -xdev -type f -size "${size}c" -print0)
  # certificates the host added to its bundle (not Debian's): none of them in any file
  for crt in /usr/local/share/ca-certificates/*.crt; do
    [ -f "$crt" ] || continue
    # a base64 line from the middle of the certificate (its public key)
    line="$(awk '/BEGIN CERT/ {f = 1; next} /END CERT/ {exit} f {a[++n] = $0} END {print a[int(n / 2)]}' "$crt")"
    [ -z "$line" ] || ! grep -rqsF -- "$line" "$mnt" || die "host certificate $crt is in the image"
  done
fi
if buildah inspect --format '{{.OCIv1.Config.Env}}' "$IMAGE" | grep -q PIP_; then
  die "pip settings in the image's environment"
fi
buildah umount "$CTR" >/dev/null
log "image: no CA bundle, no host certificate, no pip settings"

# --- 4. runs in the container, results in a mounted folder ------------------------------
RES="$WORK/ctr"
mkdir -p "$RES/user" && chown "$OTHER:$OTHER" "$RES/user"
in_ctr() { # in_ctr NAME COMMAND [buildah run options]: run in /case, output folder NAME
  local name="$1" cmd="$2"
  shift 2
  buildah run --isolation chroot -v "$RES:/case" "$@" "$CTR" -- \
    env SRC=/opt/fe_interface OUT="$name" bash -c "set -e; cd /case; $cmd" \
    >"$WORK/ctr_$name.log" 2>&1 || { tail -30 "$WORK/ctr_$name.log"; die "container run '$name'"; }
}
jit_files() { buildah run --isolation chroot "$CTR" -- sh -c 'ls "$XDG_CACHE_HOME/fenics" | wc -l'; }
JIT0="$(jit_files)"
[ "$JIT0" -gt 0 ] || die "the image has no JIT cache"
declare -A TIMES
for name in "${COMPARED[@]}" render; do
  cmd="${name^^}"
  t=$SECONDS
  in_ctr "$name" "${!cmd}"
  TIMES[$name]=$((SECONDS - t))
  log "container: $name ${TIMES[$name]} s"
done
# the case again as another user (docker run -u UID:GID), in a folder that user owns; the
# caches must be writable for it (forms of new cases are compiled into the JIT cache)
t=$SECONDS
in_ctr user 'cd user
  for d in "$XDG_CACHE_HOME" "$XDG_CACHE_HOME/fenics" "$XDG_CACHE_HOME/matplotlib"; do
    test -w "$d" || { echo "$d is not writable for user $(id -u)"; exit 1; }
  done
  OUT=case; '"$CASE" \
  --user "$OTHER:$OTHER"
log "container: case as user $OTHER $((SECONDS - t)) s"
JIT1="$(jit_files)"
[ "$JIT1" = "$JIT0" ] || die "forms were compiled in the container ($JIT0 -> $JIT1 cache files): the JIT cache warmed at build time was not used"
log "container: JIT cache used ($JIT0 files, nothing compiled)"

# --- 5. the host's results, comparison, permissions, the PNG ----------------------------
wait "$HOST_PID" || { cat "$WORK/host.log"; die "host runs"; }
"$VENV/bin/python" docker/compare.py "$WORK/host" "$RES" "${COMPARED[@]}" \
  --alias "$WORK/host=/case" --alias "$REPO=/opt/fe_interface" ||
  die "container and host results differ"
"$VENV/bin/python" docker/compare.py "$RES" "$RES/user" case >/dev/null ||
  die "the case run as user $OTHER differs"

bad="$(find "$RES" ! -user "$OTHER" \( -type f ! -perm -o=r -o -type d ! -perm -o=rx \) | head -5)"
[ -z "$bad" ] || die "results not readable by other users: $bad"
setpriv --reuid="$OTHER" --regid="$OTHER" --clear-groups -- \
  find "$RES" -type f -exec cat {} + >/dev/null || die "user $OTHER cannot read the results"
bad="$(find "$RES/user" -mindepth 1 ! -user "$OTHER" | head -5)"
[ -z "$bad" ] || die "files written by user $OTHER not owned by it: $bad"
log "results: the root runs' files readable by host user $OTHER, the user run's files its own"

"$VENV/bin/python" - "$RES/render/two_blocks.png" <<'EOF' || die "render: bad PNG"
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
colours = len(im.getcolors(maxcolors=1 << 24))
print(f"render: {sys.argv[1]} {im.size[0]}x{im.size[1]}, {colours} colours")
assert im.size == (1000, 700) and colours > 50, "blank or wrong size"
EOF

log "OK: image $IMAGE ($SIZE) built in $BUILD_TIME s; container runs: demo ${TIMES[demo]} s," \
  "case ${TIMES[case]} s, transient ${TIMES[transient]} s, mpirun -n 2 ${TIMES[mpi]} s," \
  "render ${TIMES[render]} s; total $((SECONDS - T0)) s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
