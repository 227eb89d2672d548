"""Render the pairing and home screens offscreen into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/render_screens.py [output_dir]

Time is fixed to Sunday 22 November 2026, 11:20 in Paris, so the pictures do not change from
one run to the next.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402 (after the platform is chosen)

from kiosk.home_view import build_home_view  # noqa: E402
from kiosk.recurrence import AgendaEvent  # noqa: E402
from kiosk.screens.home_screen import HomeScreen  # noqa: E402
from kiosk.screens.pairing_screen import PairingScreen  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 22, 11, 20, tzinfo=PARIS)
SIZES = ((1280, 800), (800, 480))


def demo_events() -> list[AgendaEvent]:
    day = NOW.replace(tzinfo=None, hour=0, minute=0)
    return [
        AgendaEvent(
            id=1,
            title="Soins infirmiers",
            start_local=day.replace(hour=8),
            duration=timedelta(minutes=30),
            tz=PARIS,
            who="Claire, infirmière",
        ),
        AgendaEvent(
            id=2,
            title="Aide à domicile",
            start_local=day.replace(hour=11),
            duration=timedelta(hours=1),
            tz=PARIS,
            who="Sophie, aide à domicile",
        ),
        AgendaEvent(
            id=3,
            title="Rendez-vous médecin",
            start_local=day.replace(hour=15),
            duration=timedelta(minutes=30),
            tz=PARIS,
            who="Dr Bernard, médecin traitant",
        ),
    ]


def render(widget: QWidget, size: tuple[int, int], path: Path) -> None:
    widget.resize(*size)
    widget.show()
    for _ in range(5):  # fonts follow the size, then the layout follows the fonts
        QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    widget.hide()
    print(path)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(argv[:1])

    def now() -> datetime:
        return NOW

    pairing = PairingScreen(now_fn=now)
    pairing.show_code(
        "WDJB-MJHT",
        "http://foyer.local:8000/pair",
        "http://foyer.local:8000/pair?user_code=WDJB-MJHT",
        NOW + timedelta(minutes=9, seconds=42),
    )
    home = HomeScreen(now_fn=now)
    home.set_view(build_home_view("Jeanne", demo_events(), NOW))

    for width, height in SIZES:
        render(pairing, (width, height), out / f"pairing-{width}x{height}.png")
        render(home, (width, height), out / f"home-{width}x{height}.png")
    # Delete the widgets while the application still exists (PySide6 can crash at exit
    # when Python's garbage collector meets them after QApplication is gone).
    pairing.deleteLater()
    home.deleteLater()
    QApplication.sendPostedEvents(None, 0)
    del pairing, home
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
