#!/usr/bin/env bash
# The whole test suite on a fresh machine: set up, check the layers and lint, run pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
echo "== import-linter (layers)"
"$VENV/bin/lint-imports" --no-cache
echo "== ruff"
"$VENV/bin/ruff" check --quiet .
echo "== mypy"
"$VENV/bin/mypy" --no-error-summary
echo "== pytest"
exec "$VENV/bin/python" -m pytest "$@"
