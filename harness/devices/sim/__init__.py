"""The reference device (``sim``): a deterministic Android stand-in on virtual time.

It is for the demo, the calibration corpus and fast end-to-end tests. Everything it produces
is labelled simulated. It never replaces testing a real backend against its real component.
"""

from harness.devices.sim.driver import SimDriver, SimInstrumentation
from harness.devices.sim.model import AppModel, available_models, load_bundled, load_model_file

__all__ = ["SimDriver", "SimInstrumentation", "AppModel", "available_models", "load_bundled", "load_model_file"]
