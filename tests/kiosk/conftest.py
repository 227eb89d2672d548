"""Tablet tests: Qt objects die on the GUI thread and no screen is touched from a worker
(tests/qt_threads.py; a full tablet run once segfaulted inside Qt, in a later test)."""

from tests.qt_threads import qt_on_the_gui_thread_only  # noqa: F401 (autouse)
