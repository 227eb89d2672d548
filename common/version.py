"""Foyer's version: the tablet reports it, the pairing client sends it as its User-Agent, the
updater compares it with the version a rollout offers.

One source: the installed distribution's metadata, that is pyproject.toml's `version` (or a
release wheel's, in an appliance's slot). A release changes it in one place only.
"""

from importlib import metadata


def _installed() -> str:
    try:
        return metadata.version("foyer")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


__version__ = _installed()
