"""The video calls' pages (issue 17), in process: the call log in words and in both languages
(who, when in Jeanne's zone, « appel à / de Jeanne », the outcome, « 4 min 12 »); the care
manager approves a caller, switches auto-answer and removes them with plain forms (CSRF
checked), and sees whom Jeanne took off auto-answer; « Appeler Jeanne » only for an approved
caller, a sentence naming the care manager for the others, and a forged form refused by the
service; the call page's DOM for call.js; names in markup shown as text."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from backend.models import Call, CallCaller, User
from tests.api.circle_fixtures import CircleSetup
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import API, session_of
from tests.console.conftest import BOTH_DATABASES, Browser, NewBrowser

# Friday 4 December 2026, 14:02 UTC: 15 h 02 in Paris.
START = datetime(2026, 12, 4, 14, 2, tzinfo=UTC)
WORD_KEYS = {
    "starting", "ringing", "connecting", "connected", "missed", "refused", "busy", "cancelled",
    "ended", "network_recovering", "network_lost", "failed", "camera_denied", "not_approved",
    "camera_off", "camera_on", "microphone_off", "microphone_on", "back",
}  # fmt: skip


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def app_client(make_client: MakeClient, clock: Clock) -> TestClient:
    return make_client(clock=clock, run_jobs=False)


def _signed_in(new_browser: NewBrowser, email: str) -> Browser:
    browser = new_browser()
    browser.login(email)
    return browser


def _text(page: str) -> str:
    """The page's words: tags removed, entities decoded, spaces (no-break ones too) collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _approve(app: TestClient, beneficiary_id: int, user_id: int, auto: bool = False) -> None:
    with session_of(app) as session:
        session.add(
            CallCaller(
                beneficiary_id=beneficiary_id, user_id=user_id, auto_answer=auto, approved_at=START
            )
        )
        session.commit()


def _call(app: TestClient, beneficiary_id: int, user_id: int, **fields: object) -> int:
    """A call of the log as the service leaves it (the log's words are what is tested)."""
    values: dict[str, object] = {
        "direction": "to_tablet",
        "state": "ended",
        "created_at": START,
        "ring_until": START + timedelta(seconds=45),
        **fields,
    }
    with session_of(app) as session:
        call = Call(beneficiary_id=beneficiary_id, user_id=user_id, **values)
        session.add(call)
        session.commit()
        return call.id


def _rows(page: str) -> list[str]:
    body = page.split('<table class="stacked call-log">', 1)[1].split("</table>", 1)[0]
    return [_text(row) for row in re.findall(r"<tr class=.*?</tr>", body, re.S)]


def test_the_call_log_says_who_when_which_way_how_it_ended_and_how_long(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne, sophie, nurse = circle.jeanne_id, circle.daughter.id, circle.nurse.id
    at = START - timedelta(hours=2)  # 13 h 02 in Paris
    answered = START + timedelta(seconds=8)
    _call(app_client, jeanne, sophie, outcome="completed", answered_at=answered,
          ended_at=answered + timedelta(seconds=252), end_reason="hangup")  # fmt: skip
    _call(app_client, jeanne, sophie, outcome="missed", created_at=at, end_reason="timeout")
    _call(app_client, jeanne, nurse, direction="from_tablet", outcome="refused",
          created_at=at - timedelta(days=1), end_reason="refused")  # fmt: skip
    _call(app_client, jeanne, sophie, outcome="busy", created_at=at - timedelta(days=2))
    _call(app_client, jeanne, sophie, outcome="cancelled", created_at=at - timedelta(days=3))
    _call(app_client, jeanne, sophie, direction="from_tablet", outcome="completed",
          created_at=at - timedelta(days=4), answered_at=at - timedelta(days=4),
          ended_at=at - timedelta(days=4) + timedelta(seconds=42),
          end_reason="network")  # fmt: skip
    _call(app_client, jeanne, sophie, state="answered", outcome=None, answered_at=START,
          created_at=START + timedelta(minutes=1))  # fmt: skip

    daughter = _signed_in(new_browser, circle.daughter.email)
    page = daughter.get(f"/b/{jeanne}/calls")
    assert page.status_code == 200
    assert f'href="/b/{jeanne}/calls" aria-current="page"' in page.text  # the « Appels » tab
    # Newest first (the service's order), each row in words, times in Jeanne's zone.
    assert _rows(page.text) == [
        "vendredi 4 décembre à 15 h 03 Sophie Martin appel à Jeanne en cours —",
        "lundi 30 novembre à 13 h 02 Sophie Martin appel de Jeanne coupé 42 s",
        "mardi 1er décembre à 13 h 02 Sophie Martin appel à Jeanne annulé —",
        "mercredi 2 décembre à 13 h 02 Sophie Martin appel à Jeanne occupé —",
        "jeudi 3 décembre à 13 h 02 Inès Leroy appel de Jeanne refusé —",
        "vendredi 4 décembre à 13 h 02 Sophie Martin appel à Jeanne manqué —",
        "vendredi 4 décembre à 15 h 02 Sophie Martin appel à Jeanne terminé 4 min 12",
    ]

    daughter.post("/lang", {"lang": "en", "next": f"/b/{jeanne}/calls"})
    english = daughter.get(f"/b/{jeanne}/calls")
    rows = _rows(english.text)
    assert len(rows) == 7
    assert "Friday 4 December at 15:02 Sophie Martin call to Jeanne ended 4 min 12 s" in rows
    assert "Thursday 3 December at 13:02 Inès Leroy call from Jeanne declined —" in rows
    assert "Monday 30 November at 13:02 Sophie Martin call from Jeanne cut off 42 s" in rows
    assert "Friday 4 December at 13:02 Sophie Martin call to Jeanne missed —" in rows
    assert "Call log" in english.text and "Journal des appels" not in english.text


@BOTH_DATABASES
def test_the_care_manager_approves_switches_auto_answer_and_removes_a_caller(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne, sophie = circle.jeanne_id, circle.daughter.id
    cm = _signed_in(new_browser, circle.care_manager.email)
    page = cm.get(f"/b/{jeanne}/calls")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Qui peut appeler Jeanne" in text and "Personne n'est encore autorisé" in text
    # The circle's people are offered (the care manager too), nobody outside it.
    options = dict(
        (int(v), _text(label))
        for v, label in re.findall(r'<option value="(\d+)"\s*>(.*?)</option>', page.text, re.S)
    )
    assert options[sophie] == "Sophie Martin (famille)"
    assert options[circle.neighbour.id] == "Marc Petit (voisin·e)"
    assert circle.care_manager.id in options and circle.nurse.id in options
    assert circle.other_family.id not in options

    # A form without its token changes nothing.
    forged = cm.http.post(f"/b/{jeanne}/callers", data={"user_id": sophie, "auto_answer": "1"})
    assert forged.status_code == 403
    with session_of(app_client) as session:
        assert session.get(CallCaller, (jeanne, sophie)) is None

    added = cm.post(f"/b/{jeanne}/callers", {"user_id": sophie, "auto_answer": "1"})
    assert added.status_code == 303
    page = cm.get(added.headers["location"])
    text = _text(page.text)
    assert "Sophie Martin peut maintenant appeler." in text
    assert "Sophie Martin (famille) Décrochage automatique : oui." in text
    with session_of(app_client) as session:
        approval = session.get(CallCaller, (jeanne, sophie))
        assert approval is not None and approval.auto_answer
        assert approval.approved_by_id == circle.care_manager.id

    switched = cm.post(f"/b/{jeanne}/callers/{sophie}/auto-answer", {"auto_answer": "0"})
    assert switched.status_code == 303
    text = _text(cm.get(switched.headers["location"]).text)
    assert "Décrochage automatique désactivé pour Sophie Martin : la tablette sonnera." in text
    assert "Décrochage automatique : non (la tablette sonne)." in text
    assert "Activer le décrochage automatique" in text
    cm.post(f"/b/{jeanne}/callers/{sophie}/auto-answer", {"auto_answer": "1"})

    # Jeanne takes herself off auto-answer for Sophie on her tablet: the page says so.
    with session_of(app_client) as session:
        approval = session.get(CallCaller, (jeanne, sophie))
        assert approval is not None and approval.auto_answer
        approval.auto_answer_declined_at = START - timedelta(days=1)
        session.commit()
    text = _text(cm.get(f"/b/{jeanne}/calls").text)
    assert "Jeanne a choisi de décrocher elle-même. (depuis le jeudi 3 décembre)" in text

    # An approved neighbour who left the circle stays listed, and the page says she cannot call.
    _approve(app_client, jeanne, circle.neighbour.id)
    gone = app_client.delete(
        f"{API}/beneficiaries/{jeanne}/members/{circle.neighbour.id}",
        headers=circle.care_manager.headers,
    )
    assert gone.status_code == 204, gone.text
    text = _text(cm.get(f"/b/{jeanne}/calls").text)
    assert (
        "Marc Petit Ne peut plus appeler : cette personne n'est plus dans l'entourage de Jeanne"
    ) in text
    assert "Retirer Sophie Martin" in text and "Sophie Martin Ne peut plus" not in text

    removed = cm.post(f"/b/{jeanne}/callers/{sophie}/remove")
    assert removed.status_code == 303
    text = _text(cm.get(removed.headers["location"]).text)
    assert "Sophie Martin ne peut plus appeler." in text
    assert "Retirer Sophie Martin" not in text and "Retirer Marc Petit" in text
    with session_of(app_client) as session:
        assert session.get(CallCaller, (jeanne, sophie)) is None


@BOTH_DATABASES
def test_only_an_approved_caller_is_offered_the_call_and_forged_forms_are_refused(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne, sophie = circle.jeanne_id, circle.daughter.id
    daughter = _signed_in(new_browser, circle.daughter.email)
    page = daughter.get(f"/b/{jeanne}/calls")
    assert page.status_code == 200
    assert f'href="/b/{jeanne}/call"' not in page.text
    assert "Pour appeler Jeanne en vidéo, demandez à Claire Dupont de vous autoriser." in _text(
        page.text
    )
    assert "Qui peut appeler" not in page.text and 'action="/b/' not in page.text
    # The call page itself refuses with whom to ask, and asks for no camera.
    refused = daughter.get(f"/b/{jeanne}/call")
    assert refused.status_code == 403
    assert 'id="call-words"' not in refused.text and "/static/call.js" not in refused.text
    assert (
        "Votre accès ne permet pas encore d'appeler Jeanne en vidéo : demandez à Claire Dupont "
        "de vous y autoriser."
    ) in _text(refused.text)
    daughter.post("/lang", {"lang": "en", "next": "/"})
    assert "ask Claire Dupont to allow you" in _text(daughter.get(f"/b/{jeanne}/call").text)
    daughter.post("/lang", {"lang": "fr", "next": "/"})

    # The family's forged forms: refused by the service, nothing stored.
    forged = daughter.post(f"/b/{jeanne}/callers", {"user_id": sophie, "auto_answer": "1"})
    assert forged.status_code == 403
    assert "alert error" in forged.text
    with session_of(app_client) as session:
        assert session.get(CallCaller, (jeanne, sophie)) is None
    placed = daughter.http.post(
        f"/b/{jeanne}/calls", json={}, headers={"X-CSRF-Token": daughter.csrf}
    )
    assert placed.status_code == 403
    with session_of(app_client) as session:
        assert session.query(Call).count() == 0

    # Approved: « Appeler Jeanne », and the call page with call.js's DOM.
    _approve(app_client, jeanne, sophie)
    page = daughter.get(f"/b/{jeanne}/calls")
    assert f'<a class="button primary call-button" href="/b/{jeanne}/call">Appeler Jeanne</a>' in (
        page.text
    )
    assert "demandez à" not in page.text
    call = daughter.get(f"/b/{jeanne}/call")
    assert call.status_code == 200
    _assert_call_dom(call.text, role="caller", call_id="", beneficiary_id=jeanne)
    words = _words(call.text)
    assert words["ringing"] == "Ça sonne chez Jeanne…"
    assert words["missed"] == "Jeanne n'a pas répondu. Elle verra que vous avez appelé."
    assert words["connected"] == "En communication — {duration}"
    assert words["not_approved"] == (
        "Vous n'êtes pas encore autorisé·e à appeler Jeanne : demandez à Claire Dupont de vous "
        "autoriser."
    )
    # A member of another circle: the page does not exist for them.
    other = _signed_in(new_browser, circle.other_family.email)
    assert other.get(f"/b/{jeanne}/calls").status_code == 404
    assert other.get(f"/b/{jeanne}/call").status_code == 404


def test_a_friend_may_call_without_seeing_the_log(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    _call(app_client, jeanne, circle.daughter.id, outcome="missed")
    _approve(app_client, jeanne, circle.neighbour.id)
    friend = _signed_in(new_browser, circle.neighbour.email)
    page = friend.get(f"/b/{jeanne}/calls")
    assert page.status_code == 200
    assert f'href="/b/{jeanne}/call"' in page.text
    assert "Sophie Martin" not in page.text and "call-log" not in page.text


def _assert_call_dom(page: str, *, role: str, call_id: str, beneficiary_id: int) -> None:
    main = re.search(r"<main ([^>]*)>", page)
    assert main is not None
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', main.group(1)))
    assert attributes["id"] == "call"
    assert attributes["data-role"] == role
    assert attributes["data-call-id"] == call_id
    assert attributes["data-beneficiary-id"] == str(beneficiary_id)
    assert re.fullmatch(r"[0-9a-f]{64}", attributes["data-csrf"])
    assert '<video id="remote-video" autoplay playsinline></video>' in page
    assert '<video id="local-video" autoplay playsinline muted></video>' in page
    assert '<p id="call-state" aria-live="polite">' in page
    assert re.search(
        r'<button type="button" id="hangup" class="hangup"[^>]*>Raccrocher</button>', page
    )
    assert re.search(r'<button type="button" id="toggle-camera"[^>]*aria-pressed="false"', page)
    assert re.search(r'<button type="button" id="toggle-microphone"[^>]*aria-pressed="false"', page)
    assert '<script src="/static/call.js" defer></script>' in page
    assert page.count("<main") == 1
    # Without JavaScript the page says what it needs.
    assert '<noscript><p class="call-noscript">Les appels vidéo ont besoin de JavaScript' in page
    assert 'id="incoming-call"' not in page  # no banner over a call


def _words(page: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="call-words">(.*?)</script>', page, re.S)
    assert found is not None
    words: dict[str, str] = json.loads(found.group(1))
    assert set(words) == WORD_KEYS
    return words


def test_the_call_page_of_a_call_one_is_in(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne, sophie = circle.jeanne_id, circle.daughter.id
    _approve(app_client, jeanne, sophie)
    ringing = _call(app_client, jeanne, sophie, direction="from_tablet", state="ringing",
                    outcome=None)  # fmt: skip
    answered = START + timedelta(seconds=5)
    over = _call(app_client, jeanne, sophie, outcome="completed", answered_at=answered,
                 ended_at=answered + timedelta(seconds=134), end_reason="hangup")  # fmt: skip
    nurses = _call(app_client, jeanne, circle.nurse.id, outcome="missed")

    daughter = _signed_in(new_browser, circle.daughter.email)
    page = daughter.get(f"/calls/{ringing}")
    assert page.status_code == 200
    _assert_call_dom(page.text, role="callee", call_id=str(ringing), beneficiary_id=jeanne)
    assert 'data-state="ringing"' in page.text
    assert '<p id="call-state" aria-live="polite">Jeanne vous appelle.</p>' in page.text

    page = daughter.get(f"/calls/{over}")
    assert page.status_code == 200
    assert 'data-role="caller"' in page.text and 'data-state="ended"' in page.text
    assert "Appel terminé (2\u00a0min\u00a014)." in page.text
    assert re.search(r'id="hangup" class="hangup" hidden>', page.text)

    # Someone else's call (403), and a call of another circle (404): the service's.
    assert daughter.get(f"/calls/{nurses}").status_code == 403
    other = _signed_in(new_browser, circle.other_family.email)
    assert other.get(f"/calls/{ringing}").status_code == 404

    # In English, call.js's sentences too.
    daughter.post("/lang", {"lang": "en", "next": "/"})
    words = _words(daughter.get(f"/calls/{ringing}").text)
    assert words["ringing"] == "Ringing Jeanne…"
    assert words["ended"] == "Call ended ({duration})."


def test_names_in_markup_are_shown_as_text(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne, sophie = circle.jeanne_id, circle.daughter.id
    hostile = '<img src=x onerror="alert(1)">Sophie'
    renamed = app_client.patch(f"{API}/me", json={"name": hostile}, headers=circle.daughter.headers)
    assert renamed.status_code == 200, renamed.text
    _approve(app_client, jeanne, sophie)
    _call(app_client, jeanne, sophie, outcome="missed")
    cm = _signed_in(new_browser, circle.care_manager.email)
    page = cm.get(f"/b/{jeanne}/calls")
    assert "<img src=x" not in page.text
    escaped = str(escape(hostile))
    assert escaped in page.text  # in the log and among the callers
    assert page.text.count(escaped) >= 2
    with session_of(app_client) as session:
        user = session.get(User, sophie)
        assert user is not None and user.name == hostile
