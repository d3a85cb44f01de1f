"""Catalogues: data with a schema, validated at load (house habit 7)."""

__all__: list[str] = []
