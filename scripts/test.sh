#!/usr/bin/env bash
# Runs every test of netstack4j: installs the tools the tests use, then the Maven build
# with all unit, property, simulation and integration tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install-deps.sh
exec mvn -B -ntp verify "$@"
