"""What a lab hands over: rule explanations, evidence identity, sealed bundles and run comparison.

Command-line entry points live in :mod:`harness.handover.cli`; each feature is its own module.
"""

__all__: list[str] = []
