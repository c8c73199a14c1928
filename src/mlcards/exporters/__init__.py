"""Exporters: write a ``Deck`` (or the review log) to a file; the format comes from the extension."""
