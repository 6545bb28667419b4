#!/usr/bin/env bash
# Runs the Courier end-to-end bench against a running node, building its jar first if the sources changed.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"
jar="$bench_dir/target/courier-bench.jar"

usage() {
  cat <<USAGE
Usage: bench/run.sh [bench options]

Builds bench/target/courier-bench.jar when it is missing or older than bench/src/main,
bench/pom.xml or the root pom.xml, then runs it with the options given. Start a node first
(./courier run in another terminal).

Environment:
  BENCH_JAVA_OPTS   JVM options for the bench process (default: -Xms512m -Xmx512m and a
                    common pool of four threads)
  BENCH_REBUILD=1   rebuild the jar even if it looks fresh

USAGE
}

jar_is_stale() {
  [[ ! -f "$jar" ]] && return 0
  [[ "${BENCH_REBUILD:-0}" == "1" ]] && return 0
  [[ -n "$(find "$bench_dir/src/main" "$bench_dir/pom.xml" "$repo_root/pom.xml" -newer "$jar" -print -quit)" ]]
}

for arg in "$@"; do
  if [[ "$arg" == "--help" || "$arg" == "-h" ]]; then
    usage
    break
  fi
done

if jar_is_stale; then
  echo "run.sh: building $jar" >&2
  (cd "$repo_root" && mvn -B -q -pl bench -am package -DskipTests) >&2
fi

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of JVM options, split on purpose
exec java ${BENCH_JAVA_OPTS:--Xms512m -Xmx512m -Djava.util.concurrent.ForkJoinPool.common.parallelism=4} -jar "$jar" "$@"
