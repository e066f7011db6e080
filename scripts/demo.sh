#!/usr/bin/env bash
# Start the console against a local Crisp sandbox with simulated visitors.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SETUP_FOR=demo source "$ROOT/scripts/setup.sh"  # no test tools
export LANG="${LANG:-C.UTF-8}"
exec "$VENV/bin/crisp-console" --demo "$@"
