"""``python -m crisp_console.sandbox`` is ``crisp-sandbox``."""

import sys

from crisp_console.sandbox.cli import main

sys.exit(main())
