#!/usr/bin/env bash
# Before and after: the same `loadtest http` run against the service built at an earlier revision
# and at this checkout, one after the other on this machine, with the same load tool. What a
# serving change bought, measured by one script (issue 17: the reward join without objects).
# Usage: loadtest/bench-ab.sh <base revision> <output file> [http arguments...]
#   e.g. loadtest/bench-ab.sh 9f8a455 target/ab-named.txt --policy named --features
# Needs this checkout packaged (loadtest/build.sh); builds the base in a temporary git worktree.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
base="$1"; out="$2"; shift 2
work=$(mktemp -d)
git -C "$root" worktree add -q --detach "$work/base" "$base"
trap 'git -C "$root" worktree remove --force "$work/base" || true' EXIT
# AB_MAVEN_ARGS (for instance -o) go to the base's build.
(cd "$work/base" && ./mvnw -q -B package -DskipTests ${AB_MAVEN_ARGS:-}) >&2
port=18097
run() {
  local label="$1" jar="$2"; shift 2
  local dir; dir=$(mktemp -d)
  # A budget that learns from every decision served (generate-results.sh says why).
  # THP and one OpenMP thread: as the Dockerfile runs the service.
  OMP_NUM_THREADS=1 java -Xmx3g -XX:+UseTransparentHugePages -Dquarkus.http.port=$port -Dpolicyrec.snapshot.dir="$dir" -Dpolicyrec.http.baseline-endpoint=true \
    -Dpolicyrec.pending.max-bytes=2147483648 -jar "$jar" > "$dir/service.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 90); do curl -sf "localhost:$port/q/health/ready" > /dev/null && break; sleep 1; done
  java -jar "$here/target/loadtest.jar" http --url "http://localhost:$port" "$@" > "$dir/http.txt" 2>&1 || true
  kill $pid; wait $pid 2> /dev/null || true
  grep -E "^(max rate|at half)" "$dir/http.txt" | sed "s/^/$label: /"
}
{
  echo "before: $(git -C "$root" log -1 --format='%h %s' "$base" | cut -c1-90)"
  echo "after:  $(git -C "$root" log -1 --format='%h %s' HEAD | cut -c1-90)"
  run before "$work/base/target/quarkus-app/quarkus-run.jar" "$@"
  run after "$root/target/quarkus-app/quarkus-run.jar" "$@"
} > "$out.tmp"
mv "$out.tmp" "$out"  # whole or not at all: generate-results.sh RESUME=1 skips a stage whose file exists
