"""Getting the tablet online without a keyboard (docs/network.md).

- `nm_bus`: NetworkManager's D-Bus API, synchronous, no Qt (jeepney).
- `service`: `NetworkService`, a QObject whose worker thread owns the D-Bus connection; the
  screens send it intents (scan, join, hotspot) and it answers with signals.
- `hotspot_page`: the one-time page a phone opens on the tablet's own temporary hotspot.
- `wifi_qr`: what the hotspot's QR codes say.

Nothing here is imported before the first paint: the controller loads it once started, and
only on a tablet where NetworkManager answers does anything change for the user.
"""
