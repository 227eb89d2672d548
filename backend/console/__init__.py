"""The web console: server-rendered pages (Jinja2) over the same services as the JSON API.

`install(app)` adds the page routers (one module per area), the static files, and the error
handling of console paths: a readable French page (HTML) where the API answers JSON. Routes
under /api keep their JSON errors unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.config import Settings
from backend.console import (
    agenda,
    auth,
    beneficiary,
    circle,
    dashboard,
    messages,
    pairing,
    photos,
    tablets,
    wellbeing,
)
from backend.console.web import (
    STATIC_DIR,
    CsrfRejected,
    LoginRequired,
    install_state,
    login_redirect,
    render,
)
from backend.errors import ServiceError

log = logging.getLogger(__name__)

ROUTERS = (
    auth.router,
    dashboard.router,
    pairing.router,
    beneficiary.router,
    agenda.router,
    messages.router,
    photos.router,
    wellbeing.router,
    circle.router,
    tablets.router,
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
    request: Request, status_code: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    response = render(
        request,
        "error.html",
        status_code,
        title=TITLES.get(status_code, "Erreur"),
        message=message,
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
    return error_page(request, exc.status_code, exc.message, exc.headers)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else ""
    if exc.status_code == 404:
        message = "Cette page n'existe pas, ou vous n'y avez pas accès."
    elif exc.status_code == 405:
        message = "Cette action ne se fait pas ainsi : revenez à la page précédente."
    return error_page(request, exc.status_code, message or "La demande n'a pas abouti.")


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = sorted({str(e.get("loc", ("", ""))[-1]) for e in exc.errors()})
    message = "Certaines valeurs du formulaire ne conviennent pas"
    message += f" ({', '.join(fields)})." if fields else "."
    return error_page(request, 422, message)


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


def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if not is_console_path(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    try:
        return error_page(
            request,
            500,
            "Désolé, quelque chose s'est mal passé de notre côté. L'erreur a été notée ; "
            "réessayez dans un moment.",
        )
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
    app.add_exception_handler(CsrfRejected, _csrf_rejected)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Exception, _server_error)
