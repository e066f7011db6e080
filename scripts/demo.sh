#!/usr/bin/env bash
# Start the console against a local Crisp sandbox with simulated visitors.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
export LANG="${LANG:-C.UTF-8}"
exec "$VENV/bin/crisp-console" --demo "$@"
