#!/usr/bin/env bash
# Runs the built image (deploy/target/jib-image.tar) with no container engine: unpacks its layers
# in order into a root file system and, as root, runs its entrypoint there with chroot, as the
# image's user, in mount and PID namespaces of its own with /proc mounted (the loader finds the
# runtime's libraries through it). Two checks, one to two minutes:
#   1. `help`: the command-line client answers with its usage;
#   2. a node: started with the image's production.conf against the Cassandra on 127.0.0.1:9042
#      (keyspace courier_image_check, one replica), it must answer /ready on its management port
#      and /health/ready on its HTTP port, and stop on SIGTERM.
# --help-only skips the second (no Cassandra needed).
set -euo pipefail
cd "$(dirname "$0")/../.."
image=deploy/target/jib-image.tar
[ -s "$image" ] || { echo "no $image: run deploy/image/build.sh first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "chroot needs root" >&2; exit 1; }

work=$(mktemp -d)
node_pid=
cleanup() {
  if [ -n "$node_pid" ]; then
    kill "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/image" "$work/root"
tar -xf "$image" -C "$work/image"

# The docker-save manifest: the config and the layers, base first.
python3 - "$work/image" > "$work/image.env" <<'PY'
import json, shlex, sys
d = sys.argv[1]
manifest = json.load(open(d + "/manifest.json"))[0]
config = json.load(open(d + "/" + manifest["Config"]))["config"]
print("layers=" + shlex.quote(" ".join(manifest["Layers"])))
print("entrypoint=(" + " ".join(shlex.quote(a) for a in config.get("Entrypoint") or []) + ")")
print("cmd=(" + " ".join(shlex.quote(a) for a in config.get("Cmd") or []) + ")")
print("user=" + shlex.quote(config.get("User") or "0"))
print("workdir=" + shlex.quote(config.get("WorkingDir") or "/"))
print("image_env=(" + " ".join(shlex.quote(e) for e in config.get("Env") or []) + ")")
PY
# shellcheck disable=SC1091
source "$work/image.env"
for layer in $layers; do
  tar --warning=no-unknown-keyword -xf "$work/image/$layer" -C "$work/root"
done
mkdir -p "$work/root/proc"
[ "${#entrypoint[@]}" -gt 0 ] || { echo "the image has no entrypoint" >&2; exit 1; }

# The command that runs the entrypoint with arguments in the image: its environment plus the
# caller's COURIER_* and JAVA_TOOL_OPTIONS, as a container engine passes -e. The entrypoint's
# process is the only child of unshare, and PID 1 of its namespace.
in_image() {
  local extra=()
  while IFS= read -r v; do extra+=("$v"); done < <(env | grep -E '^(COURIER_|JAVA_TOOL_OPTIONS=)' || true)
  run=(unshare --mount --pid --fork --kill-child
    sh -c 'mount -t proc proc "$0/proc" && shift && exec "$@"' "$work/root" -
    env -i "${image_env[@]}" "${extra[@]}"
    "$(command -v chroot)" --userspec="$user:$user" "$work/root" "${entrypoint[@]}" "$@")
}

echo "image: $(du -h "$image" | cut -f1), layers: $(wc -w <<<"$layers"), user $user," \
  "entrypoint: ${entrypoint[*]}"
in_image help
usage=$("${run[@]}" 2>&1) || { echo "$usage" >&2; echo "FAILED: help" >&2; exit 1; }
grep -q "courier" <<<"$usage" || { echo "$usage" >&2; echo "FAILED: no usage" >&2; exit 1; }
echo "ok: help answers with the client's usage"
[ "${1:-}" = --help-only ] && exit 0

(exec 3<>/dev/tcp/127.0.0.1/9042) 2>/dev/null \
  || { echo "no Cassandra on 127.0.0.1:9042 (./courier cassandra start)" >&2; exit 1; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
http=$(free_port); management=$(free_port); remote=$(free_port)
log=deploy/target/image-verify-node.log
COURIER_HTTP_HOST=127.0.0.1 COURIER_HTTP_PORT=$http \
COURIER_REMOTE_HOST=127.0.0.1 COURIER_REMOTE_PORT=$remote \
COURIER_MANAGEMENT_HOST=127.0.0.1 COURIER_MANAGEMENT_PORT=$management \
COURIER_CASSANDRA_HOST=127.0.0.1 COURIER_CASSANDRA_PORT=9042 \
COURIER_KEYSPACE=courier_image_check \
COURIER_CASSANDRA_REPLICATION="{'class': 'SimpleStrategy', 'replication_factor': 1}" \
JAVA_TOOL_OPTIONS="-Dconfig.file=/app/resources/production.conf -Xmx512m" \
  in_image
"${run[@]}" > "$log" 2>&1 &
node_pid=$!

status() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true; }
deadline=$((SECONDS + 120))
until [ "$(status "http://127.0.0.1:$management/ready")" = 200 ] \
    && [ "$(status "http://127.0.0.1:$http/health/ready")" = 200 ]; do
  if ! kill -0 "$node_pid" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
    tail -40 "$log" >&2
    echo "FAILED: the node in the image did not become ready (log: $log)" >&2
    exit 1
  fi
  sleep 1
done
echo "ok: the node in the image is ready (/ready on $management, /health/ready on $http)"
# SIGTERM to the node itself (unshare would SIGKILL it): it leaves the cluster and exits.
kill -TERM "$(pgrep -P "$node_pid")"
code=0
wait "$node_pid" || code=$?
node_pid=
[ "$code" = 0 ] || [ "$code" = 143 ] || { tail -20 "$log" >&2; echo "FAILED: exit $code" >&2; exit 1; }
echo "ok: stopped on SIGTERM (exit $code)"
