#!/usr/bin/env bash
# What idle consumers cost a node: starts one Courier node (the jar of this checkout, on the shared Cassandra, in
# keyspaces of its own), runs `courier-bench connections` against it (idle SSE streams and WebSockets held from one
# thread, the node's heap read with jcmd after a full GC), then stops the node and drops its keyspaces. Options are
# passed to `courier-bench connections` (see bench/README.md).
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"
bench_jar="$bench_dir/target/courier-bench.jar"
node_jar="$repo_root/deploy/target/courier.jar"

http_port="${CONNECTIONS_HTTP_PORT:-8620}"
remote_port="${CONNECTIONS_REMOTE_PORT:-2621}"
management_port="${CONNECTIONS_MANAGEMENT_PORT:-8621}"
keyspace_prefix="${CONNECTIONS_KEYSPACE:-courier_connections}"
keyspaces="${keyspace_prefix},${keyspace_prefix}_journal,${keyspace_prefix}_snapshot"
cassandra="${COURIER_CASSANDRA_HOST:-127.0.0.1}:${COURIER_CASSANDRA_PORT:-9042}"
node_java_opts="${COURIER_JAVA_OPTS:--Xmx2g}"
bench_java_opts="${BENCH_JAVA_OPTS:--Xms256m -Xmx256m}"

log() { echo "connections.sh: $*" >&2; }

if [[ " $* " == *" --help "* || " $* " == *" -h "* ]]; then
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
  echo
  echo "Environment: CONNECTIONS_HTTP_PORT (8620), CONNECTIONS_REMOTE_PORT (2621), CONNECTIONS_MANAGEMENT_PORT (8621),"
  echo "CONNECTIONS_KEYSPACE (courier_connections), COURIER_JAVA_OPTS (node JVM, default -Xmx2g),"
  echo "BENCH_JAVA_OPTS, CONNECTIONS_SKIP_BUILD=1 (use the jars as they are). Needs ulimit -n of about 2 x 12,500."
  [[ -f "$bench_jar" ]] && java -jar "$bench_jar" connections --help
  exit 0
fi

if [[ "${CONNECTIONS_SKIP_BUILD:-0}" != 1 ]]; then
  log "building the node and the bench (mvn package)"
  (cd "$repo_root" && mvn -o -B -q -DskipTests -pl deploy,bench -am package >&2)
fi
for port in "$http_port" "$remote_port" "$management_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "port $port is in use; set CONNECTIONS_*_PORT (see --help)"
    exit 3
  fi
done
# The node holds every connection plus pekko-http's headroom past its cap (1.25 x max) and Cassandra's; the bench
# as many again.
ulimit -n "$(ulimit -Hn)"
log "file descriptors per process: $(ulimit -n)"

work_dir="$(mktemp -d /tmp/courier-connections.XXXXXX)"
node_pid=""
cleanup() {
  local status=$?
  if [[ -n "$node_pid" ]] && kill -0 "$node_pid" 2>/dev/null; then
    log "stopping the Courier node ($node_pid)"
    kill -TERM "$node_pid" 2>/dev/null || true
    for ((i = 0; i < 120; i++)); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$node_pid" 2>/dev/null || true
  fi
  java -jar "$bench_jar" peers --cassandra "$cassandra" --drop-keyspaces "$keyspaces" >/dev/null 2>&1 \
    || log "could not drop the keyspaces $keyspaces"
  [[ $status -ne 0 && -f "$work_dir/node.log" ]] && tail -n 30 "$work_dir/node.log" >&2
  rm -rf "$work_dir"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting a Courier node on 127.0.0.1:$http_port (keyspaces $keyspaces, JVM $node_java_opts)"
# shellcheck disable=SC2086 # the JVM options are a list, split on purpose
COURIER_HTTP_PORT="$http_port" COURIER_REMOTE_PORT="$remote_port" COURIER_MANAGEMENT_PORT="$management_port" \
  COURIER_KEYSPACE="$keyspace_prefix" COURIER_JOURNAL_KEYSPACE="${keyspace_prefix}_journal" \
  COURIER_SNAPSHOT_KEYSPACE="${keyspace_prefix}_snapshot" COURIER_CASSANDRA_EMBEDDED_MODE=off \
  java $node_java_opts -jar "$node_jar" >"$work_dir/node.log" 2>&1 &
node_pid=$!
for ((i = 0; i < 480; i++)); do
  curl -fsS "http://127.0.0.1:$http_port/health/ready" >/dev/null 2>&1 && break
  kill -0 "$node_pid" 2>/dev/null || { log "the node exited"; exit 3; }
  sleep 0.25
done

mkdir -p "$bench_dir/target"
report="$bench_dir/target/connections-$(date +%Y%m%d-%H%M%S).txt"
log "running; the report also goes to $report"
status=0
# shellcheck disable=SC2086
java $bench_java_opts -jar "$bench_jar" connections --url "http://127.0.0.1:$http_port" --node-pid "$node_pid" "$@" \
  | tee "$report" || status=${PIPESTATUS[0]}
exit $status
