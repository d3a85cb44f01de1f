"""Instrumentation: sources of API events (Frida agent, reference device feed, replay).

Every source speaks the agent wire protocol (:mod:`harness.instrumentation.protocol`)."""

from harness.instrumentation.base import Emit, Instrumentation, Target

__all__ = ["Emit", "Instrumentation", "Target"]
