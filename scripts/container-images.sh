#!/usr/bin/env bash
# Builds the container images with Debian's podman + runc, without a Docker engine or a registry:
#   WORK=DIR scripts/container-images.sh [ringhttpd] [nginx]
# ringhttpd: docker/Dockerfile -> localhost/ringhttpd:ci; nginx: docker/nginx.Dockerfile ->
# localhost/ringhttpd-nginx:ci (the benchmark peer). Everything podman keeps (its storage, the
# debootstrapped base) lives under $WORK, so one run shares it between steps and nothing leaks
# into the next run. Afterwards use podman with
#   CONTAINERS_STORAGE_CONF=$WORK/storage.conf CONTAINERS_CONF=$WORK/containers.conf
# No image can be pulled here, so the base docker.io/library/debian:bookworm-slim is made with
# debootstrap (minbase) and imported under that name (how ../shared/tools/container-check.sh
# does it); where a registry is reachable, a plain `docker build` pulls the real one.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:?set WORK to a directory for podman storage}
MIRROR=${MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
[ -n "$MIRROR" ] || MIRROR=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)
ROOTFS_TAR=$WORK/debian-rootfs.tar
t() { echo "[$(date +%T)] $*" >&2; }

pkgs="podman runc"
[ -f "$ROOTFS_TAR" ] || pkgs="$pkgs debootstrap"
missing=$(for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
  t "installing $missing"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  # shellcheck disable=SC2086 # $missing is a list of package names
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing \
    >/dev/null
fi

mkdir -p "$WORK"
cat > "$WORK/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$WORK/storage"
runroot = "$WORK/run"
EOF
# runc, not crun: crun 1.8.1 refuses cgroup "hybrid" mode (v1 + a v2 hierarchy with the hugetlb
# controller). ulimits: without CAP_SYS_RESOURCE podman's root defaults (nofile=1048576,
# nproc=max) fail; nofile must be <= the shell's hard limit, nproc <= conmon's (32768).
cat > "$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/events.log"
runtime = "runc"
tmp_dir = "$WORK/libpod-tmp"
EOF
export CONTAINERS_STORAGE_CONF=$WORK/storage.conf CONTAINERS_CONF=$WORK/containers.conf

if [ ! -f "$ROOTFS_TAR" ]; then
  t "debootstrap bookworm minbase from $MIRROR"
  R=$WORK/rootfs
  rm -rf "$R"
  debootstrap --variant=minbase bookworm "$R" "$MIRROR" >/dev/null
  rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/lib/apt/lists/* "$R"/etc/resolv.conf \
    "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/etc/apt/sources.list
  # Documentation goes, as in the official slim image, but not the copyright files:
  # docker/runtime-tree.sh ships those of the libraries it copies.
  find "$R"/usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
  find "$R"/usr/share/doc -mindepth 1 -type d -empty -delete
  echo localhost > "$R"/etc/hostname
  printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\nURIs: %s-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$MIRROR" "$MIRROR" > "$R"/etc/apt/sources.list.d/debian.sources
  # As the official slim image: no documentation or translations from later installs.
  printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\npath-exclude /usr/share/locale/*\n' \
    > "$R"/etc/dpkg/dpkg.cfg.d/docker
  echo 'Acquire::Languages "none";' > "$R"/etc/apt/apt.conf.d/docker-no-languages
  tar --numeric-owner --xattrs -C "$R" -cf "$ROOTFS_TAR" .
  rm -rf "$R"
fi
if ! podman image exists docker.io/library/debian:bookworm-slim; then
  t "importing the base as docker.io/library/debian:bookworm-slim"
  podman import -q --change 'CMD ["bash"]' "$ROOTFS_TAR" docker.io/library/debian:bookworm-slim \
    >/dev/null
fi

# --format docker: the OCI image format has no HEALTHCHECK, and podman drops it there.
for image in "${@:-ringhttpd}"; do
  case "$image" in
    ringhttpd) file=docker/Dockerfile tag=localhost/ringhttpd:ci ;;
    nginx) file=docker/nginx.Dockerfile tag=localhost/ringhttpd-nginx:ci ;;
    *) echo "unknown image $image (ringhttpd or nginx)" >&2; exit 2 ;;
  esac
  t "building $tag from $file"
  log=$WORK/build-$image.log
  if ! podman build --pull=never --network=host --format docker -f "$file" -t "$tag" . \
    >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    t "FAIL: building $tag (whole log: $log)"
    exit 1
  fi
done
