"""The video call itself: a separate process (`python -m kiosk.call`, docs/calls.md) that the
kiosk starts on « Décrocher » or « Appeler », so that the tablet's idle memory and start time
do not pay for WebRTC.

aiortc (with PyAV) runs on an asyncio loop in a thread of its own (`engine_thread`); Qt owns the
main thread (`window`). The engine knows nothing of Qt: it reports through a `Listener`
(`engine.py`) which the Qt bridge turns into queued signals.
"""
