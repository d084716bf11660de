#!/usr/bin/env bash
# Builds loadtest/target/loadtest.jar from the repository root in one command: installs the
# service's jar (the engine the load tool links), then packages the load tool against it.
#   loadtest/build.sh            # from anywhere; extra arguments go to both Maven runs (e.g. -o)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B install -DskipTests "$@"
./mvnw -q -B -f loadtest/pom.xml package "$@"
echo "built loadtest/target/loadtest.jar"
