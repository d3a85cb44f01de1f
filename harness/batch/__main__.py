"""``python -m harness.batch ...``: the batch command line on its own (same as
``consent-harness batch ...``)."""

from __future__ import annotations

import sys

from harness.batch.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
