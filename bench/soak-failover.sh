#!/usr/bin/env bash
# The false-downing soak: three nodes under steady load for a while (default 10 minutes) with the
# shipped failure-detector, Split Brain Resolver and crash-downing settings; passes only if no node
# was ever marked unreachable, downed or removed. Not part of ./courier test (it takes minutes and
# loads the machine on purpose).
#   bench/soak-failover.sh [minutes] [rate msgs/s]       (defaults: 10, 1000)
# Runs its own cluster on the system-test ports (HTTP 24081-24083, remoting 22551-22553,
# management 24551-24553), state and logs in target/soak-failover/, and the bench (bench/run.sh) as
# the load: fan-out to three WebSocket subscriptions with acks, publishing to node 1 (every publish
# and delivery crosses the cluster to the partition's and the subscription's nodes).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
rate=${2:-1000}
export COURIER_CLUSTER_DIR=$PWD/target/soak-failover
export COURIER_CLUSTER_HTTP_BASE=24080 COURIER_CLUSTER_REMOTE_BASE=22550 COURIER_CLUSTER_MANAGEMENT_BASE=24550
rm -rf "$COURIER_CLUSTER_DIR"
mkdir -p "$COURIER_CLUSTER_DIR"
trap 'deploy/local-cluster.sh stop' EXIT
deploy/local-cluster.sh start 3
started=$(date +%s)
bench_status=0
bench/run.sh --url http://127.0.0.1:24081 --consumer ws --subscriptions 3 --partitions 6 \
  --rate "$rate" --messages $((rate * minutes * 60)) --warmup 2000 --delete \
  | tee "$COURIER_CLUSTER_DIR/bench.txt" || bench_status=$?
echo "soak: load ran $(( $(date +%s) - started )) s; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
# What a healthy cluster never logs: a member marked unreachable, a downing decision, a removal.
pattern='as UNREACHABLE|SBR took decision|Downing member|Leader is removing|Marking node as TERMINATED|is shutting down|Exiting completed'
if grep -E "$pattern" "$COURIER_CLUSTER_DIR"/node-*.log; then
  echo "soak: FAILED: the lines above show a healthy node marked unreachable, downed or removed" >&2
  exit 1
fi
echo "soak: ok: no node was marked unreachable, downed or removed in ${minutes} minutes at ${rate} msgs/s"
slowest=$(grep -h "heartbeat interval is growing too large" "$COURIER_CLUSTER_DIR"/node-*.log \
  | sed 's/.*: \([0-9]*\) millis.*/\1/' | sort -n | tail -1)
echo "soak: the longest heartbeat interval logged: ${slowest:-none over the warning threshold} ms"
if [ "$bench_status" != 0 ]; then
  echo "soak: the bench itself failed (status $bench_status): see its report above" >&2
  exit "$bench_status"
fi
