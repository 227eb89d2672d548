"""The FastAPI application: routers, error handlers, and the change notification wiring."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout

import backend.api
from backend import console, db
from backend.api.deps import AppState
from backend.config import Settings
from backend.errors import ServiceError
from backend.openapi_errors import document_validation_errors
from backend.security_headers import SecurityHeadersMiddleware
from backend.services.changes import ChangeHub, PostgresListener, install_local_publisher

log = logging.getLogger(__name__)

API_VERSION = "1"
RETRY_AFTER_BUSY_SECONDS = 5


def api_routers() -> list[APIRouter]:
    """Every module of backend.api that has a `router`: adding a resource is adding a module.

    Importing them also imports the services they use, which register what they sync to
    tablets (services.sync.register) and the tablet writes they handle (register_action).
    """
    routers = []
    for info in sorted(pkgutil.iter_modules(backend.api.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"backend.api.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers


def create_app(settings: Settings, *, migrate: bool = True) -> FastAPI:
    engine = db.make_engine(settings.database_url, settings.database_connections, settings.workers)
    if migrate:
        db.upgrade_to_head(engine)
    sessions = db.make_session_factory(engine)
    hub = ChangeHub()
    listener: PostgresListener | None = None
    if db.is_sqlite(engine.url.drivername):
        install_local_publisher(sessions, hub)
    else:
        listener = PostgresListener(settings.database_url, hub)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if listener is not None:
            listener.start()
        try:
            yield
        finally:
            if listener is not None:
                listener.stop()
            engine.dispose()

    app = FastAPI(
        title="Foyer",
        version=API_VERSION,
        description="Coordination service behind the Foyer home tablet.",
        lifespan=lifespan,
    )
    app.state.foyer = AppState(settings=settings, sessions=sessions, hub=hub)
    app.state.pg_listener = listener
    for router in api_routers():
        app.include_router(router)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.message}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(PoolTimeout)
    async def database_busy(_request: Request, _exc: PoolTimeout) -> JSONResponse:
        # Every connection of this worker's pool stayed busy (backend.db.pool_for): a clear
        # "try again" the tablets back off from, not a 500.
        log.warning("database pool exhausted: answered 503")
        return JSONResponse(
            {"detail": "Le service est très sollicité : nouvel essai dans quelques secondes."},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_BUSY_SECONDS)},
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        parts = []
        for err in errors[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query"))
            parts.append(f"{where}: {err.get('msg', 'invalide')}" if where else err.get("msg", ""))
        message = "Données invalides — " + " ; ".join(parts)
        # Only the location, message and type: the raw input may hold what was just refused.
        detail = [{k: e[k] for k in ("loc", "msg", "type") if k in e} for e in errors]
        return JSONResponse({"detail": message, "errors": detail}, status_code=422)

    # The web console's pages, static files, and HTML errors for its paths (/api keeps JSON).
    console.install(app, settings)
    # Security headers on every answer; the schema's 422 as really sent (tests/security/).
    app.add_middleware(SecurityHeadersMiddleware)
    document_validation_errors(app)
    return app
