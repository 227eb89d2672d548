"""The dashboard says how each tablet is doing, in the page's words (issue 16): a tablet in
trouble shows its health's headline on the person's row, linked to the tablets page, in French
and in English; a tablet that is well still says only "Tablette en ligne", one offline since
when it was seen (red after an hour)."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from tests.api.circle_fixtures import CircleSetup, care_manager_of
from tests.api.conftest import Clock
from tests.api.factories import API, device_headers, pair_device
from tests.console.conftest import NewBrowser


def words(page: str) -> str:
    """What a person reads, on one line (tags left out, no-break spaces as spaces)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def _row(page: str, beneficiary_id: int) -> str:
    """The dashboard row of one person, as a person reads it."""
    found = re.search(
        rf'<li class="row[^"]*">\s*<h2><a href="/b/{beneficiary_id}">.*?</ul>', page, re.S
    )
    assert found is not None
    return found.group(0)


def test_a_tablet_in_trouble_says_why_on_the_dashboard(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    paired = pair_device(app_client, care_manager_of(circle.care_manager), circle.jeanne_id)
    tablet = device_headers(paired["access_token"])
    report = {"app_version": "0.4.1", "outbox_pending": 0, "free_disk_bytes": 8_000_000_000,
              "disk_total_bytes": 16_000_000_000}  # fmt: skip
    assert app_client.post(f"{API}/device/status", json=report, headers=tablet).status_code == 204
    manager = new_browser()
    manager.login(circle.care_manager.email)
    well = _row(manager.get("/").text, circle.jeanne_id)
    assert "Tablette en ligne" in words(well)
    assert "/tablets" not in well

    report |= {"free_disk_bytes": 1_280_000_000, "last_error": "OSError: [Errno 28] No space"}
    assert app_client.post(f"{API}/device/status", json=report, headers=tablet).status_code == 204
    row = _row(manager.get("/").text, circle.jeanne_id)
    assert 'class="row warn"' in row
    link = f'<li class="warn"><a href="/b/{circle.jeanne_id}/tablets">'
    assert link in row
    assert "Espace presque plein (92 %)" in words(row)
    assert "Tablette en ligne" not in words(row)
    assert "Errno" not in row  # the tablet's own text is never shown

    manager.post("/lang", {"lang": "en", "next": "/"})
    english = words(_row(manager.get("/").text, circle.jeanne_id))
    assert "Storage almost full (92%)" in english

    clock.advance(2 * 3600)  # not seen since: offline for two hours, urgent
    row = _row(manager.get("/").text, circle.jeanne_id)
    assert 'class="row urgent"' in row
    assert '<li class="bad">Tablet offline — seen 2 h ago</li>' in row
