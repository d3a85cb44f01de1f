"""The web device kind: H5 pages in a real Chromium (see kind.py, driver.py, source.py)."""

__all__: list[str] = []
