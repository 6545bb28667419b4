#!/usr/bin/env bash
# Runs the partition scenarios in the network namespace it is started in (PartitionSystemIT starts
# it under `unshare -n`): brings loopback up, gives Cassandra a private data folder (sharing the
# jars installed for the other tests: there is no network in here to fetch them), runs the
# scenario driver, and stops every process it started before the namespace goes away.
#   in-namespace.sh STATE_DIR JAVA CLASSPATH
set -euo pipefail
cd "$(dirname "$0")/../../../.."
STATE=$1 JAVA=$2 CP=$3

ip link set lo up
rm -rf "$STATE"
mkdir -p "$STATE/cluster" "$STATE/cassandra"
shared=${COURIER_CASSANDRA_HOME:-$HOME/.courier/cassandra}
found=no
for v in "$shared"/*/; do
  [ -f "$v/installed.txt" ] || continue
  ln -s "$(cd "$v" && pwd)" "$STATE/cassandra/$(basename "$v")"
  found=yes
done
if [ $found = no ]; then
  echo "in-namespace: no installed Cassandra under $shared (the integration tests install one)" >&2
  exit 2
fi
export COURIER_CASSANDRA_HOME=$STATE/cassandra
# A smaller Cassandra than the default: it only serves these scenarios.
export COURIER_CLUSTER_DIR=$STATE/cluster

cleanup() {
  iptables -w -F INPUT 2>/dev/null || true
  deploy/local-cluster.sh stop >/dev/null 2>&1 || true
  # Whatever a failed scenario left: nothing may outlive the namespace.
  for f in "$STATE"/cluster/node-*.pid "$STATE"/cassandra/cassandra.pid; do
    [ -e "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null || true
  done
}
trap cleanup EXIT
"$JAVA" -cp "$CP" dev.courier.system.PartitionScenarios "$STATE"
