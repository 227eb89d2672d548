"""The web console: server-rendered pages (Jinja2) over the same services as the JSON API.

`install(app)` adds the page routers (one module per area), the static files, and the error
handling of console paths: a readable page (HTML, in the person's language) where the API
answers JSON. Routes under /api keep their JSON errors unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend import database_errors, text
from backend.config import Settings
from backend.console import (
    agenda,
    agenda_ics,
    alerts,
    audit,
    auth,
    beneficiary,
    calls,
    calls_api,
    circle,
    dashboard,
    engagement,
    fleet,
    messages,
    notifications,
    pairing,
    photos,
    reminders,
    signs_of_life,
    tablets,
    updates,
    visits,
    wellbeing,
)
from backend.console.i18n import translator
from backend.console.web import (
    STATIC_DIR,
    CsrfRejected,
    LoginRequired,
    error_text,
    install_state,
    language,
    login_redirect,
    render,
)
from backend.errors import ServiceError
from backend.request_id import request_id

log = logging.getLogger(__name__)

ROUTERS = (
    auth.router,
    dashboard.router,
    pairing.router,
    beneficiary.router,
    visits.router,
    agenda_ics.router,
    agenda.router,
    messages.router,
    photos.router,
    wellbeing.router,
    circle.router,
    tablets.router,
    signs_of_life.router,
    engagement.router,
    audit.router,
    reminders.router,
    alerts.router,
    notifications.router,
    calls_api.router,
    calls.router,
    fleet.router,
    updates.router,
)
NOT_CONSOLE = ("/api/", "/healthz", "/docs", "/redoc", "/openapi.json", "/static/")

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]

TITLES = {
    400: "Demande invalide",
    401: "Connexion requise",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Action impossible",
    409: "Conflit",
    410: "Lien expiré",
    413: "Fichier trop volumineux",
    415: "Format non pris en charge",
    422: "Données invalides",
    429: "Trop d'essais",
}


def is_console_path(request: Request) -> bool:
    path = request.url.path
    return not any(path == p.rstrip("/") or path.startswith(p) for p in NOT_CONSOLE)


def error_page(
    request: Request,
    status_code: int,
    message: str,
    headers: dict[str, str] | None = None,
    **params: str,
) -> Response:
    """`message`: the console's own French sentence, a template filled with `params` once
    said in the page's language (`i18n.ENGLISH`), or a service's already said by
    `error_text`."""
    said = translator(language(request))(message)
    response = render(
        request,
        "error.html",
        status_code,
        title=TITLES.get(status_code, "Erreur"),
        message=said.format(**params) if params else said,
        status=status_code,
    )
    for key, value in (headers or {}).items():
        if key.lower() != "www-authenticate":
            response.headers[key] = value
    return response


def _wrap(app: FastAPI, kind: type[Exception], html: Handler) -> None:
    """Console paths get `html`; the others keep the handler the application had."""
    previous = app.exception_handlers.get(kind)

    async def handler(request: Request, exc: Exception) -> Response:
        if is_console_path(request) or previous is None:
            result = html(request, exc)
        else:
            result = previous(request, exc)
        if isinstance(result, Response):
            return result
        return await result

    app.add_exception_handler(kind, handler)


def _service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return error_page(request, exc.status_code, error_text(request, exc), exc.headers)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else ""
    if exc.status_code == 404:
        message = "Cette page n'existe pas, ou vous n'y avez pas accès."
    elif exc.status_code == 405:
        message = "Cette action ne se fait pas ainsi : revenez à la page précédente."
    return error_page(request, exc.status_code, message or "La demande n'a pas abouti.")


# The form fields' names as the pages show them, for the messages that name a field.
FIELD_LABELS = {
    "first_name": "Prénom",
    "last_name": "Nom",
    "place_name": "Lieu",
    "timezone": "Fuseau horaire",
    "name": "Nom",
    "email": "Adresse e-mail",
    "title": "Titre",
    "who": "Qui",
    "instructions": "Consignes",
    "kind": "Type",
    "relation": "Lien",
    "profession": "Profession",
    "body": "Message",
    "caption": "Légende",
    "current": "Mot de passe actuel",
    "new": "Nouveau mot de passe",
    "confirm": "Confirmation",
    "password": "Mot de passe",
}


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = sorted({str(e.get("loc", ("", ""))[-1]) for e in exc.errors()})
    # A text refused by the text rule (backend/text.py): the field and why, in French.
    # A text refused by the text rule (common/text.py, whose reason is French only).
    _ = translator(language(request))
    refused = [
        _("« {field} » {reason}.").format(field=_(FIELD_LABELS.get(name, name)), reason=e["msg"])
        for e in exc.errors()
        if e.get("type") == text.ERROR_TYPE
        for name in [str(e.get("loc", ("", ""))[-1])]
    ]
    if refused:
        return error_page(request, 422, "Champ refusé : {fields}", fields=" ".join(refused))
    if fields:
        return error_page(
            request,
            422,
            "Certaines valeurs du formulaire ne conviennent pas ({fields}).",
            fields=", ".join(fields),
        )
    return error_page(request, 422, "Certaines valeurs du formulaire ne conviennent pas.")


def _csrf_rejected(request: Request, _exc: Exception) -> Response:
    return error_page(
        request,
        403,
        "Ce formulaire a expiré ou ne vient pas de cette console : pour votre sécurité, "
        "rien n'a été fait. Rechargez la page et recommencez.",
    )


def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return login_redirect(request, exc.expired)


def _database_refused(request: Request, exc: Exception) -> Response:
    """What a form sent broke a constraint or does not fit the database: nothing was kept."""
    status_code, message = database_errors.answer(exc)
    log.warning(
        "request %s: %s %s refused by the database (%s)",
        request_id(request), request.method, request.url.path, type(exc).__name__,
    )  # fmt: skip
    return error_page(request, status_code, message)


def _server_error(request: Request, exc: Exception) -> Response:
    rid = request_id(request)
    log.error(
        "request %s: unexpected error on %s %s", rid, request.method, request.url.path,
        exc_info=exc,
    )  # fmt: skip
    try:
        response = error_page(
            request,
            500,
            "Désolé, quelque chose s'est mal passé de notre côté. L'erreur a été notée "
            "(référence {rid}) ; réessayez dans un moment.",
            rid=rid,
        )
        response.headers["X-Request-ID"] = rid
        return response
    except Exception:  # the error page itself failed: say sorry in plain text
        log.exception("the error page failed too")
        return PlainTextResponse("Désolé, une erreur est survenue.", status_code=500)


def install(app: FastAPI, settings: Settings) -> None:
    install_state(app.state, settings)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _wrap(app, ServiceError, _service_error)
    _wrap(app, StarletteHTTPException, _http_error)
    _wrap(app, RequestValidationError, _validation_error)
    for kind in database_errors.INPUT_ERRORS:
        _wrap(app, kind, _database_refused)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)
    app.add_exception_handler(LoginRequired, _login_required)
    # The API's paths keep the application's JSON 500 (backend/app.py).
    _wrap(app, Exception, _server_error)
