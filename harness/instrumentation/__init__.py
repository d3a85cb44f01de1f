"""Instrumentation: event sources (:mod:`harness.instrumentation.sources`: the Frida agent, the
reference device's feed, logcat process events).

Every source speaks the agent wire protocol (:mod:`harness.instrumentation.protocol`)."""

from harness.instrumentation.base import Emit, Instrumentation, Target

__all__ = ["Emit", "Instrumentation", "Target"]
