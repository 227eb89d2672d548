"""The tablet's home modules: agenda, mood, messages, professionals, photos, weather.

Each feature owns its screen(s) and service(s) and meets the controller through the small
interface of `kiosk.features.base.Feature` (start, stop, wipe, on_state, on_config, badges);
what it needs of the controller is the `Host` protocol. The controller knows them as a list.
"""
