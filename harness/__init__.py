"""consent-harness: tests Android apps for privacy-consent violations.

Record first, judge later: a run writes an append-only timeline; detectors judge it offline.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
