"""Foyer's version: the tablet reports it, the pairing client sends it as its User-Agent."""

__version__ = "0.1.0"
