"""Video calls for real (docs/calls.md): a backend process on loopback, the family's side in
Debian's Chromium (Playwright, its fake camera and microphone) running the console's call page
and call.js, the tablet's side the real call process (`python -m kiosk.call --fake-media`)
offscreen with the credential of a tablet paired over HTTP.

Both sides reach "connected" and decode each other's video (the page's `getStats()`, the
process's `--stats` file), audio arrives; either side hangs up and both end; refusal; no answer
(the missed-call message the tablet syncs); busy; the auto-answer flag only for the caller the
care manager allowed; an unapproved caller refused by the backend; one call relayed only
through a real coturn (skipped, saying so, when coturn is not installed); the network cut in
the middle of a call (the browser frozen).

One backend and one browser for the module; each call lasts a few seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    sync_playwright,
)

from provisioning import credentials
from tests.browser.site import CHROMIUM, CHROMIUM_ARGS, PASSWORD, Site, seed
from tests.e2e.conftest import RunningBackend, start_backend
from tests.turn_server import MISSING, TurnServer, turnserver_path

pytestmark = pytest.mark.e2e

API = "/api/v1"
GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TURN_SECRET = "un secret partagé avec coturn " + uuid.uuid4().hex
# Short enough that "no answer" is a short test, long enough for the call process to start
# and answer on a busy machine.
RING_SECONDS = 12
CALL_ARGS = [
    *CHROMIUM_ARGS,
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
# The call process's timings, shortened (kiosk/call/options.py reads them).
PROCESS_ENV = {
    "FOYER_CALL_RECOVER_SECONDS": "3",
    "FOYER_CALL_SILENCE_SECONDS": "2",
    "FOYER_CALL_SENTENCE_SECONDS": "0.2",
    "QT_QPA_PLATFORM": "offscreen",
}
NETWORK_SENTENCE = "L'appel a été coupé : la connexion s'est interrompue."


# --- the world: coturn, a backend, a circle, a paired tablet, a browser -------------------------


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """`values` in os.environ while a child process is started (it inherits them)."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class World:
    site: Site
    turn: TurnServer | None
    tablet_dir: Path
    device_token: str
    contexts: dict[str, BrowserContext] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.site.url

    @property
    def jeanne(self) -> int:
        return self.site.jeanne_id

    def device(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        return requests.request(
            method,
            self.url + API + "/device" + path,
            headers={"Authorization": f"Bearer {self.device_token}", **(headers or {})},
            timeout=40,
            **kwargs,
        )

    def auto_answer_declined(self, user_id: int, declined: bool) -> None:
        answer = self.device(
            "POST",
            "/actions",
            json={"type": "call_auto_answer", "data": {"user_id": user_id, "declined": declined}},
            headers={"Idempotency-Key": f"auto-answer-{uuid.uuid4()}"},
        )
        assert answer.status_code < 300, answer.text

    def synced(self, kind: str) -> list[dict[str, Any]]:
        """What a full sync of the tablet holds of `kind` now."""
        answer = self.device("GET", "/sync")
        assert answer.status_code == 200, answer.text
        records: list[dict[str, Any]] = answer.json()["upserts"].get(kind, [])
        return records

    def synced_call(self, call_id: int) -> dict[str, Any]:
        found = [c for c in self.synced("calls") if c["id"] == call_id]
        assert found, f"call {call_id} not in the tablet's sync"
        return found[0]


def _pair(site: Site, tablet_dir: Path) -> str:
    """The RFC 8628 flow over HTTP, as the tablet does it; the credential saved where the
    kiosk keeps it, for the call process to read."""
    grant = requests.post(
        site.url + API + "/device/authorize", data={"client_id": "foyer-kiosk"}, timeout=10
    ).json()
    site.api(
        "POST",
        "/devices/approve",
        site.care_manager,
        json={"user_code": grant["user_code"], "beneficiary_id": site.jeanne_id},
    )
    answer = requests.post(
        site.url + API + "/device/token",
        data={"grant_type": GRANT, "device_code": grant["device_code"], "client_id": "foyer-kiosk"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    credentials.save(
        tablet_dir,
        credentials.DeviceCredential(
            backend_url=site.url,
            device_id=int(body["device_id"]),
            beneficiary_id=site.jeanne_id,
            access_token=body["access_token"],
        ),
    )
    token: str = body["access_token"]
    return token


def _join(site: Site, email: str, name: str, **invitation: Any) -> int:
    created = site.api(
        "POST",
        f"/beneficiaries/{site.jeanne_id}/invitations",
        site.care_manager,
        json={"email": email, "name": name, **invitation},
    )
    token = created["url"].rsplit("/invitation/", 1)[1]
    accepted = requests.post(
        f"{site.url}{API}/invitations/{token}/accept",
        json={"name": name, "password": PASSWORD},
        timeout=10,
    ).json()
    return int(accepted["user_id"])


@pytest.fixture(scope="module")
def turn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TurnServer | None]:
    if turnserver_path() is None:
        yield None  # the relayed call skips, saying why; the others run without TURN
        return
    with TurnServer.start(tmp_path_factory.mktemp("coturn"), TURN_SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def playwright_browser() -> Iterator[tuple[Playwright, Browser]]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup (it installs Debian's chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CALL_ARGS, headless=True
        )
        yield playwright, browser
        browser.close()


def sign_in(context: BrowserContext, url: str, email: str) -> None:
    page = context.new_page()
    page.goto(url + "/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert "/login" not in page.url
    page.close()


def approve(context: BrowserContext, world_url: str, jeanne: int, user_id: int, auto: bool) -> None:
    """The care manager's form on the call log page (backend/console/calls.py)."""
    manage(context, f"{world_url}/b/{jeanne}", "/callers", user_id=str(user_id),
           auto_answer="1" if auto else "")  # fmt: skip


def manage(context: BrowserContext, beneficiary_url: str, path: str, **form: str) -> None:
    """A plain form of the care manager's on the call log page, with its CSRF token."""
    page = context.new_page()
    page.goto(beneficiary_url + "/calls")
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    answer = context.request.post(
        beneficiary_url + path, form={"csrf": csrf, **form}, max_redirects=0
    )
    assert answer.status == 303, answer.text()
    page.close()


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
    turn: TurnServer | None,
    playwright_browser: tuple[Playwright, Browser],
) -> Iterator[World]:
    settings = {"FOYER_CALL_RING_SECONDS": str(RING_SECONDS)}
    if turn is not None:
        settings |= {"FOYER_TURN_URLS": turn.url, "FOYER_TURN_SECRET": turn.secret}
    with environment(**settings):
        backend: RunningBackend = start_backend(tmp_path_factory.mktemp("calls") / "backend")
    try:
        site = seed(backend)
        tablet_dir = tmp_path_factory.mktemp("tablet")
        token = _pair(site, tablet_dir)
        world = World(site, turn, tablet_dir, token)
        _, browser = playwright_browser
        for who, email in (
            ("claire", site.care_manager.email),
            ("sophie", site.daughter.email),
            ("ines", site.nurse.email),
            ("karima", site.home_aide.email),
        ):
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
            sign_in(context, backend.url, email)
            world.contexts[who] = context
        # Sophie (family) may call and be auto-answered; Inès (the nurse) may call, rung only;
        # Karima (the home aide) is not approved.
        approve(world.contexts["claire"], backend.url, site.jeanne_id, site.daughter.id, True)
        approve(world.contexts["claire"], backend.url, site.jeanne_id, site.nurse.id, False)
        yield world
        for context in world.contexts.values():
            context.close()
    finally:
        backend.stop(patience=1)


# --- the two sides of a call ---------------------------------------------------------------------


def wait_until(check: Callable[[], object], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.1)


def page_state(page: Page) -> str:
    return str(page.evaluate("() => window.foyerCall ? window.foyerCall.state : ''"))


def page_stats(page: Page) -> dict[str, Any]:
    stats: dict[str, Any] = page.evaluate("() => window.foyerCall.stats()")
    return stats


def state_text(page: Page) -> str:
    return page.locator("#call-state").inner_text()


def call_from(world: World, who: str, query: str = "") -> tuple[Page, int]:
    """`who` opens « Appeler Jeanne »: the page places the call and rings."""
    page = world.contexts[who].new_page()
    page.goto(f"{world.url}/b/{world.jeanne}/call{query}")
    wait_until(
        lambda: page.evaluate("() => window.foyerCall && window.foyerCall.callId"),
        20,
        "the page's call id",
    )
    call_id = int(page.evaluate("() => window.foyerCall.callId"))
    assert page.url.endswith(f"/calls/{call_id}{query}")  # the address is the call's
    wait_until(lambda: page_state(page) == "ringing", 20, "the page ringing")
    return page, call_id


@dataclass
class CallProcess:
    process: subprocess.Popen[str]
    stats_path: Path
    events: list[dict[str, Any]] = field(default_factory=list)
    lines: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                self.events.append(event)
                self.lines.put(event)

    def saw(self, **fields: str) -> bool:
        return any(all(e.get(k) == v for k, v in fields.items()) for e in self.events)

    def ended(self) -> dict[str, Any]:
        found = [e for e in self.events if e.get("event") == "ended"]
        assert found, f"no 'ended' event: {self.events}"
        return found[-1]

    def finish(self, timeout: float = 30) -> dict[str, Any]:
        """Its exit status is 0 and its statistics file is there."""
        assert self.process.wait(timeout=timeout) == 0
        stats: dict[str, Any] = json.loads(self.stats_path.read_text())
        return stats


@contextlib.contextmanager
def tablet_answers(world: World, call_id: int, tmp_path: Path) -> Iterator[CallProcess]:
    """The beneficiary touched « Décrocher »: the kiosk starts the call process."""
    with call_process(world, tmp_path, "--answer", str(call_id)) as process:
        yield process


@contextlib.contextmanager
def call_process(world: World, tmp_path: Path, *which: str) -> Iterator[CallProcess]:
    stats = tmp_path / "call-stats.json"
    log = (tmp_path / "call.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "kiosk.call", "--backend", world.url,
            "--data", str(world.tablet_dir), *which,
            "--fake-media", "--stats", str(stats),
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, **PROCESS_ENV},
    )  # fmt: skip
    running = CallProcess(process, stats)
    reader = threading.Thread(target=running.read, daemon=True)
    reader.start()
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=10)
        assert process.stdout is not None
        process.stdout.close()
        log.close()


def both_connected(page: Page, tablet: CallProcess) -> None:
    wait_until(lambda: tablet.saw(event="state", state="connected"), 40, "the tablet connected")
    wait_until(lambda: page_state(page) == "connected", 40, "the page connected")
    assert state_text(page).startswith("En communication — ")


def media_flows(page: Page) -> dict[str, Any]:
    """The page decodes the tablet's video and receives its sound, and has sent the tablet two
    seconds of its own (so that a hang-up right after leaves the tablet frames to decode: it
    decodes in Python, later than the page on a loaded machine)."""
    stats: dict[str, Any] = wait_until(
        lambda: (
            (s := page_stats(page))["framesDecoded"] > 10
            and s["audioBytesReceived"] > 0
            and s["framesSent"] > 60
            and s
        ),
        30,
        "frames decoded and audio received by the page, two seconds sent",
    )
    return stats


# --- the tests -----------------------------------------------------------------------------------


def test_family_calls_tablet_answers_and_the_page_hangs_up(world: World, tmp_path: Path) -> None:
    page, call_id = call_from(world, "sophie")
    assert state_text(page) == "Ça sonne chez Jeanne…"
    ringing = world.synced_call(call_id)
    assert ringing["state"] == "ringing" and ringing["caller"]["name"] == "Sophie Martin"
    with tablet_answers(world, call_id, tmp_path) as tablet:
        both_connected(page, tablet)
        stats = media_flows(page)
        assert stats["framesSent"] > 0
        assert stats["candidateType"] in ("host", "srflx", "prflx")  # direct, not relayed
        # The camera switch: the track off, the button says so.
        camera = page.locator("#toggle-camera")
        camera.click()
        assert camera.get_attribute("aria-pressed") == "true"
        assert camera.inner_text() == "Rallumer la caméra"
        camera.click()
        assert camera.get_attribute("aria-pressed") == "false"
        time.sleep(1)  # a second of call: the tablet decodes on
        page.locator("#hangup").click()
        wait_until(lambda: page_state(page) == "ended", 15, "the page ended")
        assert state_text(page).startswith("Appel terminé (")
        tablet_stats = tablet.finish()
        assert tablet.ended()["outcome"] == "completed"
    assert tablet_stats["outcome"] == "completed"
    assert tablet_stats["frames_decoded"] > 10 and tablet_stats["frames_sent"] > 10
    assert tablet_stats["audio_frames_received"] > 0
    assert tablet_stats["first_frame_at"] >= tablet_stats["answered_at"] > 0
    ended = world.synced_call(call_id)
    assert ended["state"] == "ended" and ended["outcome"] == "completed"
    page.close()


def test_tablet_hangs_up_and_a_second_caller_finds_it_busy(world: World, tmp_path: Path) -> None:
    page, call_id = call_from(world, "ines")
    with tablet_answers(world, call_id, tmp_path) as tablet:
        both_connected(page, tablet)
        # Sophie calls while Jeanne is in a call: busy, said on her page, logged as such.
        second = world.contexts["sophie"].new_page()
        second.goto(f"{world.url}/b/{world.jeanne}/call")
        wait_until(lambda: page_state(second) == "busy", 20, "the second caller told busy")
        assert state_text(second) == "Jeanne est déjà en communication."
        second.close()
        assert page_state(page) == "connected"  # the first call goes on
        # The tablet hangs up (SIGTERM: the kiosk's clean hang-up, as « Raccrocher »).
        tablet.process.send_signal(signal.SIGTERM)
        wait_until(lambda: page_state(page) == "ended", 20, "the page ended by the tablet")
        assert state_text(page).startswith("Appel terminé (")
        stats = tablet.finish()
    assert stats["outcome"] == "completed"
    busy = [c for c in world.synced("calls") if c["outcome"] == "busy"]
    assert busy and busy[-1]["caller"]["name"] == "Sophie Martin"
    page.close()


def test_the_tablet_calls_and_the_console_answers(world: World, tmp_path: Path) -> None:
    sophie = world.site.daughter.id
    with call_process(world, tmp_path, "--place", str(sophie)) as tablet:
        placed = wait_until(
            lambda: [e for e in tablet.events if e.get("event") == "call"], 30, "the call placed"
        )
        call_id = int(placed[0]["call_id"])
        wait_until(lambda: tablet.saw(event="state", state="ringing"), 20, "the tablet ringing")
        # « Décrocher » on the console's banner opens the call's page: it answers and offers.
        page = world.contexts["sophie"].new_page()
        page.goto(f"{world.url}/calls/{call_id}")
        assert page.locator("#call").get_attribute("data-role") == "callee"
        both_connected(page, tablet)
        media_flows(page)
        page.locator("#hangup").click()
        wait_until(lambda: page_state(page) == "ended", 15, "the page ended")
        stats = tablet.finish()
    assert stats["outcome"] == "completed" and stats["frames_decoded"] > 10
    assert world.synced_call(call_id)["direction"] == "from_tablet"
    page.close()


def test_the_tablet_refuses(world: World) -> None:
    page, call_id = call_from(world, "sophie")
    answer = world.device("POST", f"/calls/{call_id}/refuse", json={"reason": "refused"})
    assert answer.status_code == 200, answer.text
    wait_until(lambda: page_state(page) == "refused", 30, "the page told refused")
    assert state_text(page) == "Jeanne ne peut pas répondre pour le moment."
    assert page.locator("#hangup").is_hidden()
    page.close()


def test_no_answer_is_missed_and_the_tablet_gets_a_message(world: World) -> None:
    page, call_id = call_from(world, "sophie")
    wait_until(lambda: page_state(page) == "missed", RING_SECONDS + 30, "the call missed")
    assert state_text(page) == "Jeanne n'a pas répondu. Elle verra que vous avez appelé."
    assert world.synced_call(call_id)["outcome"] == "missed"
    bodies = [m["body"] for m in world.synced("messages")]
    assert any(b.startswith("Sophie a essayé de vous appeler à ") for b in bodies), bodies
    page.close()


def test_auto_answer_only_for_the_caller_allowed_and_not_declined(world: World) -> None:
    def placed_by(who: str) -> dict[str, Any]:
        page, call_id = call_from(world, who)
        record = world.synced_call(call_id)
        page.locator("#hangup").click()  # the caller gives up: cancelled
        wait_until(lambda: page_state(page) == "cancelled", 15, "the call cancelled")
        assert state_text(page) == "L'appel a été annulé."
        page.close()
        return record

    assert placed_by("sophie")["auto_answer"] is True  # the care manager allowed her
    assert placed_by("ines")["auto_answer"] is False  # approved, rung only
    # Jeanne takes herself off auto-answer for Sophie, from her tablet (its outbox's action).
    world.auto_answer_declined(world.site.daughter.id, True)
    assert placed_by("sophie")["auto_answer"] is False
    world.auto_answer_declined(world.site.daughter.id, False)


def test_an_unapproved_caller_is_refused_by_the_backend(world: World) -> None:
    before = {c["id"] for c in world.synced("calls")}
    page = world.contexts["karima"].new_page()
    # The call page is not even offered (no camera asked for a call that would be refused):
    # the call log says whom to ask.
    shown = page.goto(f"{world.url}/b/{world.jeanne}/call")
    assert shown is not None and shown.status == 403
    assert page.locator("#call").count() == 0
    assert "demandez à Claire Dubois" in page.locator("main").inner_text()
    # A request made anyway (a script, or a page opened before the approval was removed) is
    # refused by the service with a sentence, which call.js shows.
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    refused = world.contexts["karima"].request.post(
        f"{world.url}/b/{world.jeanne}/calls",
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
        data="{}",
    )
    assert refused.status == 403
    detail = refused.json()["detail"]
    assert isinstance(detail, str) and detail.endswith(".") and "appel" in detail.lower()
    assert {c["id"] for c in world.synced("calls")} == before  # nothing rang
    page.close()


def test_a_caller_removed_while_the_page_opens_is_told_why(world: World) -> None:
    """The page was allowed when it opened; the care manager removes Inès before call.js
    places the call: the service refuses, and the page says the service's sentence."""
    held: list[Route] = []
    page = world.contexts["ines"].new_page()
    page.route(f"{world.url}/b/{world.jeanne}/calls", lambda route: held.append(route))
    page.goto(f"{world.url}/b/{world.jeanne}/call")

    # Playwright hands routes over while it runs: let it run while waiting.
    def placing() -> bool:
        page.wait_for_timeout(50)
        return bool(held)

    wait_until(placing, 20, "call.js placing the call")
    beneficiary = f"{world.url}/b/{world.jeanne}"
    claire = world.contexts["claire"]
    manage(claire, beneficiary, f"/callers/{world.site.nurse.id}/remove")
    try:
        held[0].continue_()
        wait_until(lambda: page_state(page) == "not_approved", 20, "the page refused")
        sentence = state_text(page)
        assert sentence.endswith(".") and "appel" in sentence.lower()
        assert page.locator("#hangup").is_hidden()
        assert page.locator("#call-back").is_visible()
    finally:
        approve(claire, world.url, world.jeanne, world.site.nurse.id, False)
    page.close()


def test_a_call_relayed_only_through_coturn(world: World, tmp_path: Path) -> None:
    if world.turn is None:
        pytest.skip(MISSING)
    page, call_id = call_from(world, "sophie", "?relay=1")
    with tablet_answers(world, call_id, tmp_path) as tablet:
        both_connected(page, tablet)
        stats = media_flows(page)
        assert stats["candidateType"] == "relay"
        assert world.turn.allocations() >= 1
        page.locator("#hangup").click()
        wait_until(lambda: page_state(page) == "ended", 15, "the page ended")
        tablet_stats = tablet.finish()
    assert tablet_stats["frames_decoded"] > 10 and tablet_stats["audio_frames_received"] > 0
    page.close()


def test_leaving_the_page_hangs_up(world: World, tmp_path: Path) -> None:
    page, call_id = call_from(world, "sophie")
    with tablet_answers(world, call_id, tmp_path) as tablet:
        both_connected(page, tablet)
        page.close()  # the tab closed: pagehide, and a hang-up that outlives the page
        stats = tablet.finish()
        assert tablet.ended()["outcome"] == "completed"
    assert stats["outcome"] == "completed"
    assert world.synced_call(call_id)["state"] == "ended"


def test_the_page_gives_up_on_a_frozen_tablet(world: World, tmp_path: Path) -> None:
    page, call_id = call_from(world, "sophie")
    with tablet_answers(world, call_id, tmp_path) as tablet:
        both_connected(page, tablet)
        tablet.process.send_signal(signal.SIGSTOP)  # no packet from the tablet any more
        try:
            wait_until(lambda: page_state(page) == "network_recovering", 30, "the page recovering")
            assert state_text(page) == "La connexion est mauvaise : on essaie de la rétablir…"
            # call.js's 15 s, then it hangs up with reason "network".
            wait_until(lambda: page_state(page) == "network_lost", 30, "the page giving up")
            assert state_text(page) == NETWORK_SENTENCE
            assert world.synced_call(call_id)["state"] == "ended"
        finally:
            tablet.process.send_signal(signal.SIGCONT)
        # Awake again, the tablet learns that the call is over and leaves.
        tablet.finish()
    page.close()


def _descendants(pid: int) -> list[int]:
    found = [pid]
    for each in found:
        for task in Path(f"/proc/{each}/task").glob("*"):
            with contextlib.suppress(OSError):
                found.extend(int(c) for c in (task / "children").read_text().split())
    return found


def _browser_pids(marker: str) -> list[int]:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                return _descendants(int(entry.name))
    raise AssertionError("the second browser's process not found")


def test_the_network_cut_mid_call_ends_with_a_plain_sentence(
    world: World, playwright_browser: tuple[Playwright, Browser], tmp_path: Path
) -> None:
    playwright, _ = playwright_browser
    # A browser of its own, to freeze: every packet it sends or answers stops at once.
    marker = f"--foyer-call-test={uuid.uuid4().hex}"
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=[*CALL_ARGS, marker], headless=True
    )
    frozen: list[int] = []
    try:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
        sign_in(context, world.url, world.site.daughter.email)
        world.contexts["sophie-phone"] = context
        page, call_id = call_from(world, "sophie-phone")
        with tablet_answers(world, call_id, tmp_path) as tablet:
            both_connected(page, tablet)
            media_flows(page)
            frozen = _browser_pids(marker)
            for pid in frozen:
                with contextlib.suppress(ProcessLookupError):  # one that left meanwhile
                    os.kill(pid, signal.SIGSTOP)
            wait_until(
                lambda: tablet.saw(event="state", state="recovering"), 20, "the tablet recovering"
            )
            stats = tablet.finish(timeout=40)
            assert tablet.ended()["sentence"] == NETWORK_SENTENCE
        assert stats["frames_decoded"] > 0
        for pid in frozen:
            with contextlib.suppress(ProcessLookupError):  # a renderer may have left meanwhile
                os.kill(pid, signal.SIGCONT)
        frozen = []
        # The page, awake again, learns the call is over.
        wait_until(
            lambda: page_state(page) in ("ended", "network_lost"), 40, "the page told it ended"
        )
        assert world.synced_call(call_id)["state"] == "ended"
    finally:
        for pid in frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        world.contexts.pop("sophie-phone", None)
        browser.close()
