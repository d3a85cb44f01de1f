"""Network capture: what leaves the device, and whether it carries personal data.

- :mod:`harness.network.mitm_addon` runs inside mitmdump (it imports nothing from the harness)
  and writes one JSON line per flow, TLS failure or blocked QUIC attempt;
- :mod:`harness.network.flows` reads those lines, bounded, into typed events;
- :mod:`harness.network.encodings` lists the forms a value takes on the wire (hashes, base64 at
  every byte offset, hex, URL-encoding, rounded and shifted coordinates);
- :mod:`harness.network.matcher` searches flows for planted (honey) values and the device's real
  identifiers with one multi-pattern automaton, through compression, body formats and one
  nested decode layer. Matching is pure: ``analyze`` can run it again on a recorded run.
"""

from __future__ import annotations

__all__: list[str] = []
