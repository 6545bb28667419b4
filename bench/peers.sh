#!/usr/bin/env bash
# Courier side by side with NATS JetStream on this machine: installs nats-server from Debian's packages if missing,
# starts it (JetStream, file store in a temporary directory, loopback only) and a single Courier node (the jar of this
# checkout, on the shared Cassandra, in keyspaces of its own), runs `courier-bench peers` against both, then stops
# what it started. Options are passed to `courier-bench peers` (see bench/peers.sh --help and bench/README.md).
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"
bench_jar="$bench_dir/target/courier-bench.jar"
node_jar="$repo_root/deploy/target/courier.jar"

http_port="${PEERS_HTTP_PORT:-8610}"
remote_port="${PEERS_REMOTE_PORT:-2601}"
management_port="${PEERS_MANAGEMENT_PORT:-8601}"
nats_port="${PEERS_NATS_PORT:-14222}"
cassandra_host="${COURIER_CASSANDRA_HOST:-127.0.0.1}"
cassandra_port="${COURIER_CASSANDRA_PORT:-9042}"
keyspace_prefix="${PEERS_KEYSPACE:-courier_peers}"
keyspaces="${keyspace_prefix},${keyspace_prefix}_journal,${keyspace_prefix}_snapshot"
bench_java_opts="${BENCH_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"

log() { echo "peers.sh: $*" >&2; }

for arg in "$@"; do
  if [[ "$arg" == "--help" || "$arg" == "-h" ]]; then
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    cat <<USAGE

Usage: bench/peers.sh [courier-bench peers options]    e.g. bench/peers.sh --quick

Environment: PEERS_HTTP_PORT (default 8610), PEERS_REMOTE_PORT (2601), PEERS_MANAGEMENT_PORT (8601),
PEERS_NATS_PORT (14222), PEERS_KEYSPACE (courier_peers), BENCH_JAVA_OPTS (load generator JVM),
COURIER_JAVA_OPTS (node JVM), PEERS_SKIP_BUILD=1 (use the jars as they are).
The report is printed and kept in bench/target/peers-<time>.txt.

USAGE
    [[ -f "$bench_jar" ]] && java -jar "$bench_jar" peers --help
    exit 0
  fi
done

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
cql_answers() { (exec 3<>"/dev/tcp/$cassandra_host/$cassandra_port") 2>/dev/null; }

wait_for() { # seconds, description, command...
  local seconds=$1 what=$2
  shift 2
  for ((i = 0; i < seconds * 4; i++)); do
    "$@" && return 0
    sleep 0.25
  done
  log "$what did not come up within ${seconds} s"
  return 1
}

install_nats() {
  command -v nats-server >/dev/null && return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "nats-server is not installed and installing it needs root (apt-get install nats-server)"
    exit 3
  fi
  log "installing nats-server from Debian's packages"
  local own_policy=no
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    # Keeps the package's maintainer scripts from starting a service: this script starts its own server.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=yes
  fi
  local status=0
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nats-server; } \
    >&2 || status=$?
  [[ "$own_policy" == yes ]] && rm -f /usr/sbin/policy-rc.d
  [[ $status -eq 0 ]] || { log "installing nats-server failed"; exit 3; }
}

stale() { # jar, paths...
  local jar=$1
  shift
  [[ ! -f "$jar" ]] && return 0
  [[ -n "$(find "$@" \( -name target -prune \) -o -newer "$jar" -type f -print -quit)" ]]
}

build() {
  [[ "${PEERS_SKIP_BUILD:-0}" == 1 ]] && return 0
  cd "$repo_root"
  if stale "$node_jar" pom.xml protocol port persistence http-edge cluster-node deploy; then
    log "building the node (mvn package)"
    mvn -B -q -DskipTests -pl deploy -am package >&2
  fi
  if stale "$bench_jar" pom.xml bench/pom.xml bench/src/main; then
    log "building the bench (mvn package)"
    mvn -B -q -DskipTests -pl bench -am package >&2
  fi
}

work_dir=""
nats_pid=""
node_pid=""
started_cassandra=no

cleanup() {
  local status=$?
  if [[ -n "$node_pid" ]] && kill -0 "$node_pid" 2>/dev/null; then
    log "stopping the Courier node ($node_pid)"
    kill -TERM "$node_pid" 2>/dev/null || true
    for ((i = 0; i < 80; i++)); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$node_pid" 2>/dev/null || true
  fi
  if [[ -n "$nats_pid" ]] && kill -0 "$nats_pid" 2>/dev/null; then
    log "stopping nats-server ($nats_pid)"
    kill -TERM "$nats_pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do kill -0 "$nats_pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$nats_pid" 2>/dev/null || true
  fi
  if cql_answers && [[ -f "$bench_jar" ]]; then
    java -jar "$bench_jar" peers --cassandra "$cassandra_host:$cassandra_port" --drop-keyspaces "$keyspaces" \
      >/dev/null 2>&1 || log "could not drop the keyspaces $keyspaces"
  fi
  if [[ "$started_cassandra" == yes ]]; then
    log "stopping the Cassandra this run started"
    java -cp "$node_jar" dev.courier.persistence.cassandra.CassandraLauncher stop >&2 || true
  fi
  if [[ -n "$work_dir" ]]; then
    if [[ $status -ne 0 && -f "$work_dir/node.log" ]]; then
      log "last lines of the node's log:"
      tail -n 30 "$work_dir/node.log" >&2 || true
    fi
    rm -rf "$work_dir"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

install_nats
build
for port in "$http_port" "$remote_port" "$management_port" "$nats_port"; do
  port_free "$port" || { log "port $port is in use; set PEERS_*_PORT (see --help)"; exit 3; }
done
work_dir="$(mktemp -d /tmp/courier-peers.XXXXXX)"

if ! cql_answers; then
  log "no Cassandra at $cassandra_host:$cassandra_port; starting one"
  java -cp "$node_jar" dev.courier.persistence.cassandra.CassandraLauncher start >&2
  started_cassandra=yes
fi
cassandra_pid=""
pid_file="${COURIER_CASSANDRA_HOME:-$HOME/.courier/cassandra}/cassandra.pid"
if [[ -f "$pid_file" ]] && [[ -d "/proc/$(cat "$pid_file")" ]]; then
  cassandra_pid="$(cat "$pid_file")"
else
  cassandra_pid="$(ss -ltnpH "sport = :$cassandra_port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)"
fi
[[ -n "$cassandra_pid" ]] || log "Cassandra's process not found: its CPU is not reported"
# A node's leftovers from an earlier run (topics, journal) would only slow this one down.
java -jar "$bench_jar" peers --cassandra "$cassandra_host:$cassandra_port" --drop-keyspaces "$keyspaces" 2>/dev/null \
  || log "could not drop the keyspaces $keyspaces left by an earlier run"

log "starting nats-server (JetStream, file store in $work_dir/jetstream) on 127.0.0.1:$nats_port"
nats-server -a 127.0.0.1 -p "$nats_port" -js -sd "$work_dir/jetstream" >"$work_dir/nats.log" 2>&1 &
nats_pid=$!
wait_for 20 nats-server bash -c "(exec 3<>/dev/tcp/127.0.0.1/$nats_port) 2>/dev/null"

log "starting a Courier node on 127.0.0.1:$http_port (keyspaces $keyspaces)"
# shellcheck disable=SC2086 # COURIER_JAVA_OPTS is a list of JVM options, split on purpose
COURIER_HTTP_PORT="$http_port" COURIER_REMOTE_PORT="$remote_port" COURIER_MANAGEMENT_PORT="$management_port" \
  COURIER_KEYSPACE="$keyspace_prefix" COURIER_JOURNAL_KEYSPACE="${keyspace_prefix}_journal" \
  COURIER_SNAPSHOT_KEYSPACE="${keyspace_prefix}_snapshot" COURIER_CASSANDRA_EMBEDDED_MODE=off \
  java ${COURIER_JAVA_OPTS:-} -jar "$node_jar" >"$work_dir/node.log" 2>&1 &
node_pid=$!
wait_for 120 "the Courier node" bash -c "curl -fsS http://127.0.0.1:$http_port/health/ready >/dev/null 2>&1"

mkdir -p "$bench_dir/target"
report="$bench_dir/target/peers-$(date +%Y%m%d-%H%M%S).txt"
log "running; the report also goes to $report"
status=0
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of JVM options, split on purpose
java $bench_java_opts -jar "$bench_jar" peers \
  --courier-url "http://127.0.0.1:$http_port" --nats-url "nats://127.0.0.1:$nats_port" \
  --cassandra "$cassandra_host:$cassandra_port" \
  --node-pid "$node_pid" --nats-pid "$nats_pid" ${cassandra_pid:+--cassandra-pid "$cassandra_pid"} \
  --clk-tck "$(getconf CLK_TCK)" "$@" | tee "$report" || status=$?
exit $status
