"""Reports built from a run's timeline and findings: HTML, Excel, JSON, JUnit."""

__all__: list[str] = []
