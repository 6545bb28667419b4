#!/usr/bin/env bash
# A Courier cluster of N node processes on loopback against one Cassandra, for development and
# failover tests.
#   deploy/local-cluster.sh start N       Cassandra (if none answers) and nodes 1..N; returns once all are ready
#   deploy/local-cluster.sh kill I        SIGKILL node I (a crash)
#   deploy/local-cluster.sh stop I        SIGTERM node I and wait: it leaves the cluster, handing its shards over
#   deploy/local-cluster.sh start-node I  start node I again (or a new one) and wait until it is ready
#   deploy/local-cluster.sh status        each node's pid, liveness, readiness and management /ready
#   deploy/local-cluster.sh stop          stop every node, and the Cassandra if this script started it
# Node I serves HTTP on 127.0.0.1:808I, remoting on 255I, management (/alive, /ready,
# /cluster/members) on 855I (nodes 10+ take 80xx/25xx/85xx likewise); nodes 1 and 2 are the seeds.
# State and logs: $COURIER_CLUSTER_DIR (default ~/.courier/local-cluster).
# COURIER_CLUSTER_HTTP_BASE / COURIER_CLUSTER_REMOTE_BASE / COURIER_CLUSTER_MANAGEMENT_BASE
# (8080 / 2550 / 8550) move the ports. COURIER_CLUSTER_HOSTS ("127.0.0.2 127.0.0.3 ...") gives node I
# the I-th address for remoting (HTTP and management stay on 127.0.0.1), so a firewall rule between
# two addresses partitions two nodes (the partition tests do this in their own network namespace).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${COURIER_CLUSTER_DIR:-$HOME/.courier/local-cluster}
JAR=deploy/target/courier.jar
READY_TIMEOUT=${COURIER_READY_TIMEOUT:-120}
mkdir -p "$DIR"

HTTP_BASE=${COURIER_CLUSTER_HTTP_BASE:-8080}
REMOTE_BASE=${COURIER_CLUSTER_REMOTE_BASE:-2550}
MANAGEMENT_BASE=${COURIER_CLUSTER_MANAGEMENT_BASE:-8550}
http_port() { echo $((HTTP_BASE + $1)); }
remote_port() { echo $((REMOTE_BASE + $1)); }
management_port() { echo $((MANAGEMENT_BASE + $1)); }
read -r -a HOSTS <<<"${COURIER_CLUSTER_HOSTS:-}"
remote_host() { echo "${HOSTS[$(($1 - 1))]:-127.0.0.1}"; }
pid_of() { cat "$DIR/node-$1.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(http_port "$1")/health/ready" 2>/dev/null; }
# Management's /ready: the node is an Up member and its shard regions have registered.
management_ready() {
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(management_port "$1")/ready" 2>/dev/null
}

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

check_index() {
  [[ "$1" =~ ^[1-9][0-9]?$ ]] || { echo "local-cluster: node index must be 1..99, not '$1'" >&2; exit 2; }
}

start_node() {
  local i=$1
  check_index "$i"
  if alive "$i"; then
    echo "local-cluster: node $i already runs (pid $(pid_of "$i"))"
    return
  fi
  COURIER_HTTP_PORT=$(http_port "$i") \
  COURIER_REMOTE_HOST=$(remote_host "$i") \
  COURIER_REMOTE_PORT=$(remote_port "$i") \
  COURIER_MANAGEMENT_PORT=$(management_port "$i") \
  COURIER_SEEDS="$(remote_host 1):$(remote_port 1),$(remote_host 2):$(remote_port 2)" \
  COURIER_CASSANDRA_EMBEDDED_MODE=off \
    setsid java ${COURIER_JAVA_OPTS:-} -jar "$JAR" >>"$DIR/node-$i.log" 2>&1 < /dev/null &
  echo $! >"$DIR/node-$i.pid"
  echo "local-cluster: node $i started (pid $!, remoting $(remote_host "$i"):$(remote_port "$i"), http :$(http_port "$i"), management :$(management_port "$i"), log $DIR/node-$i.log)"
}

await_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT))
  for i in "$@"; do
    until ready "$i"; do
      if ! alive "$i"; then
        echo "local-cluster: node $i exited; see $DIR/node-$i.log" >&2
        tail -n 20 "$DIR/node-$i.log" >&2
        exit 1
      fi
      if [ $SECONDS -ge $deadline ]; then
        echo "local-cluster: node $i not ready after ${READY_TIMEOUT}s; see $DIR/node-$i.log" >&2
        exit 1
      fi
      sleep 0.5
    done
    echo "local-cluster: node $i ready"
  done
}

stop_node() {
  local i=$1 pid
  pid=$(pid_of "$i")
  if alive "$i"; then
    kill -TERM "$pid"
    for _ in $(seq 1 120); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "local-cluster: node $i did not stop in 30 s; killing it" >&2
      kill -KILL "$pid"
    fi
    echo "local-cluster: node $i stopped"
  fi
  rm -f "$DIR/node-$i.pid"
}

nodes() {
  for f in "$DIR"/node-*.pid; do
    [ -e "$f" ] || continue
    basename "$f" .pid | sed 's/node-//'
  done | sort -n
}

case "${1:-}" in
  start)
    n=${2:-3}
    check_index "$n"
    ./courier build
    if ! ./courier cassandra status >/dev/null 2>&1; then
      ./courier cassandra start
      touch "$DIR/cassandra-started-here"
    fi
    for i in $(seq 1 "$n"); do start_node "$i"; done
    await_ready $(seq 1 "$n")
    ;;
  kill)
    check_index "${2:-}"
    if alive "$2"; then
      kill -KILL "$(pid_of "$2")"
      echo "local-cluster: node $2 killed (SIGKILL)"
    else
      echo "local-cluster: node $2 is not running" >&2
    fi
    rm -f "$DIR/node-$2.pid"
    ;;
  stop)
    if [ -n "${2:-}" ]; then
      check_index "$2"
      stop_node "$2"
    else
      for i in $(nodes); do stop_node "$i"; done
      if [ -e "$DIR/cassandra-started-here" ]; then
        ./courier cassandra stop
        rm -f "$DIR/cassandra-started-here"
      fi
    fi
    ;;
  start-node)
    check_index "${2:-}"
    start_node "$2"
    await_ready "$2"
    ;;
  status)
    for i in $(nodes); do
      state=down
      management=down
      if alive "$i"; then
        state=alive; ready "$i" && state=ready
        management=not-ready; management_ready "$i" && management=ready
      fi
      echo "node $i  pid $(pid_of "$i")  http :$(http_port "$i")  $state  management :$(management_port "$i")  $management"
    done
    ;;
  *)
    usage
    ;;
esac
