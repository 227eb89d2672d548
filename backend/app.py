"""The FastAPI application: routers, error handlers, and the change notification wiring."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import pkgutil
import signal
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

import backend.api
from backend import console, database_errors, db
from backend.api import device_protocol
from backend.api.deps import AppState, utc_now
from backend.config import Settings
from backend.errors import ServiceError
from backend.openapi_errors import document_validation_errors
from backend.request_id import RequestIdMiddleware, request_id
from backend.security_headers import SecurityHeadersMiddleware
from backend.services import audit, devices_offline, jobs, mail
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


# Pydantic's messages for what people most often get wrong, in French (the others stay as is).
_FRENCH = {
    "missing": "champ obligatoire",
    "string_too_short": "au moins {min_length} caractère(s)",
    "string_too_long": "au plus {max_length} caractères",
    "string_unicode": "contient un caractère invalide (demi-paire de substitution)",
}


def french_message(error: Mapping[str, Any]) -> str:
    template = _FRENCH.get(str(error.get("type")))
    if template is not None:
        try:
            return template.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            pass
    return str(error.get("msg", "invalide"))


def configure_jobs(settings: Settings) -> None:
    """What the jobs of this process need of the settings: where e-mail goes, the console's
    address, when a tablet counts as offline."""
    mail.configure(settings)
    devices_offline.configure(timedelta(seconds=settings.tablet_offline_after_seconds))


def plan_periodic_jobs(session: Session, now: datetime) -> None:
    """The chains of jobs that plan their own next run, started again should one have stopped
    (each is planned once, whoever asks): the tablets' offline check, the audit log's nightly
    purge of entries older than its retention (docs/access.md)."""
    devices_offline.ensure_planned(session, now)
    audit.ensure_retention_planned(session, now)


def start_jobs(
    settings: Settings, sessions: sessionmaker[Session], clock: Callable[[], datetime]
) -> jobs.Worker | None:
    """This process's jobs worker (`Settings.run_jobs`), on the application's clock; the
    periodic jobs are planned if no process did yet."""
    configure_jobs(settings)
    if not settings.run_jobs:
        return None
    try:
        with sessions() as session:
            plan_periodic_jobs(session, clock())
            session.commit()
    except Exception:
        # The worker still runs the jobs there are; the next start plans them again.
        log.exception("jobs: could not plan the periodic jobs")
    worker = jobs.Worker(sessions, clock, poll_seconds=settings.jobs_poll_seconds)
    worker.start()
    return worker


def answer_long_polls_on_stop(hub: ChangeHub) -> Callable[[], None]:
    """On SIGTERM or SIGINT, answer every held long-poll at once, then let the server stop.

    uvicorn's graceful stop waits `timeout_graceful_shutdown` (5 s) for open requests, then
    cancels them: a poll held for up to 30 s was cut with a 500 and a traceback. Its signal
    handlers are in place when the application starts (Server.capture_signals); ours runs
    first, schedules `hub.stop()` on the loop (never from the handler: it takes a lock the
    interrupted code may hold), then calls uvicorn's. Each held poll answers its empty delta
    with the same cursor, which the tablet reads as "nothing new" and polls again — another
    backend behind the proxy, or this one once restarted. Returns the undo (at shutdown)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # signals go to the main thread only (a test client's portal)
    loop = asyncio.get_running_loop()
    installed: dict[int, tuple[Any, Any]] = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if not callable(previous):
            continue  # no server handler to chain to: leave the default behaviour alone

        def stop_then(sig: int, frame: Any, previous: Callable[..., Any] = previous) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed
                loop.call_soon_threadsafe(hub.stop)
            previous(sig, frame)

        signal.signal(signum, stop_then)
        installed[signum] = (previous, stop_then)

    def undo() -> None:
        for signum, (previous, ours) in installed.items():
            if signal.getsignal(signum) is ours:
                signal.signal(signum, previous)

    return undo


def freeze_startup_objects() -> None:
    """In a server process, move what the start left alive (the framework, the routes, the
    models: hundreds of thousands of objects) out of the garbage collector's sight: a full
    collection then scans only what requests made, and thousands of held long-polls no longer
    pause the loop for as long (bench.scale at 10,000 tablets: probe p99 653 → 425 ms, push
    p99 810 → 405 ms, docs/performance.md). Not in a test's client thread: each test's app
    would stay in memory for good."""
    if threading.current_thread() is threading.main_thread():
        gc.collect()
        gc.freeze()


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
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if listener is not None:
            listener.start()
        worker = start_jobs(
            settings, sessions, lambda: app.dependency_overrides.get(utc_now, utc_now)()
        )
        undo_signals = answer_long_polls_on_stop(hub)
        freeze_startup_objects()
        try:
            yield
        finally:
            hub.stop()  # a poll still held (no signal came: a test, an embedding) answers now
            undo_signals()
            app.state.foyer.close()
            if worker is not None:
                worker.stop()
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
    # The tablets' polls are most of the traffic (each tablet every 25 s): their router is
    # matched first. FastAPI tries the routers in order, at a cost each (docs/performance.md).
    routers = api_routers()
    routers.sort(key=lambda router: router is not device_protocol.router)
    for router in routers:
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

    @app.exception_handler(OperationalError)
    async def database_contended(request: Request, exc: OperationalError) -> JSONResponse:
        # A deadlock or serialisation failure between two requests at once: rolled back, so a
        # "try again" (tablets resend from their outbox) rather than a 500. Anything else is a
        # real failure and stays one.
        if not database_errors.is_transient(exc):
            raise exc
        log.warning("request %s: transient database conflict, answered 503: %s",
                    request_id(request), str(exc.orig).splitlines()[0])  # fmt: skip
        return JSONResponse(
            {"detail": "Le service est très sollicité : nouvel essai dans quelques secondes."},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_BUSY_SECONDS)},
        )

    async def database_refused(request: Request, exc: Exception) -> JSONResponse:
        # What the request sent broke a constraint or does not fit a column: the input checks
        # missed it (worth a look, hence the log), the person gets a 4xx and nothing is kept.
        status_code, message = database_errors.answer(exc)
        log.warning(
            "request %s: %s %s refused by the database (%s): %s",
            request_id(request),
            request.method,
            request.url.path,
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "",
        )
        return JSONResponse({"detail": message}, status_code=status_code)

    for kind in database_errors.INPUT_ERRORS:
        app.add_exception_handler(kind, database_refused)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        # Logged with the request id, which the answer carries: what a person reports leads
        # to the traceback. The answer itself says nothing of the error.
        rid = request_id(request)
        log.error(
            "request %s: unexpected error on %s %s", rid, request.method, request.url.path,
            exc_info=exc,
        )  # fmt: skip
        return JSONResponse(
            {
                "detail": "Désolé, une erreur inattendue est survenue de notre côté. Elle a "
                f"été notée (référence {rid}) ; réessayez dans un moment.",
                "request_id": rid,
            },
            status_code=500,
            headers={"X-Request-ID": rid},
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        parts = []
        for err in errors[:5]:
            loc = list(err.get("loc", ()))
            if loc and loc[0] in ("body", "query", "path", "header", "cookie"):
                loc = loc[1:]  # where it came from: the field's own name follows ("body.body")
            where = ".".join(str(p) for p in loc)
            msg = french_message(err)
            parts.append(f"{where}: {msg}" if where else msg)
        message = "Données invalides — " + " ; ".join(parts)
        # Only the location, message and type: the raw input may hold what was just refused.
        detail = [
            {"loc": e.get("loc", ()), "msg": french_message(e), "type": e.get("type", "")}
            for e in errors
        ]
        return JSONResponse({"detail": message, "errors": detail}, status_code=422)

    # The web console's pages, static files, and HTML errors for its paths (/api keeps JSON).
    console.install(app, settings)
    # The tablets' idle polls past the framework (innermost: the headers below still apply).
    app.add_middleware(device_protocol.SyncFastLane)
    # Security headers on every answer; the schema's 422 as really sent (tests/security/).
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)
    document_validation_errors(app)
    return app
