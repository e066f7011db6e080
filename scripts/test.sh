#!/usr/bin/env bash
# The whole test suite on a fresh machine: set up, check the layers and lint, run pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SETUP_FOR=test source "$ROOT/scripts/setup.sh"
cd "$ROOT"
# The official node client for the conformance test, when node is present (tests only: the
# demo does not need it, so setup.sh leaves it alone).
if command -v npm >/dev/null 2>&1 && [ -f tests/node/package-lock.json ] \
    && [ ! -d tests/node/node_modules/crisp-api ]; then
  echo "test: installing the node crisp-api client for the conformance test"
  (cd tests/node && npm ci --silent --no-audit --no-fund) \
    || echo "test: npm install failed; the node conformance test will be skipped" >&2
fi
export QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
echo "== import-linter (layers)"
"$VENV/bin/lint-imports" --no-cache
echo "== ruff"
"$VENV/bin/ruff" check --quiet .
echo "== mypy"
"$VENV/bin/mypy" --no-error-summary
echo "== pytest"
exec "$VENV/bin/python" -m pytest "$@"
