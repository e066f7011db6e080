"""``python -m crisp_console`` is ``crisp-console`` (and the frozen bundle's entry point)."""

import sys

from crisp_console.cli import main

sys.exit(main())
