"""`foyer-backend`: run the service and manage it from the command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from backend import db
from backend.config import Settings
from backend.errors import ServiceError


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True, help="data directory (SQLite file)")
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL, e.g. postgresql://host/db (default: SQLite)"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="foyer-backend", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service")
    _common(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--public-url", help="address tablets show in the QR code")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument(
        "--database-connections",
        type=int,
        default=db.DEFAULT_MAX_CONNECTIONS,
        help="PostgreSQL connections all workers together may open; keep it under the "
        f"server's max_connections (default {db.DEFAULT_MAX_CONNECTIONS})",
    )
    serve.add_argument(
        "--open-meteo-url", help="Open-Meteo forecast endpoint (default: the public service)"
    )
    serve.add_argument(
        "--geocoding-url",
        help="Open-Meteo geocoding endpoint, towns to coordinates (default: the public service)",
    )
    user = sub.add_parser("create-user", help="create an account")
    _common(user)
    user.add_argument("--email", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True, choices=["care_manager"])
    demo = sub.add_parser("seed-demo", help="create the demo care manager and beneficiary")
    _common(demo)
    migrate = sub.add_parser("migrate", help="bring the schema up to date")
    _common(migrate)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    args.data.mkdir(parents=True, exist_ok=True)
    public_url = getattr(args, "public_url", None)
    if public_url is None and hasattr(args, "port"):
        public_url = f"http://{args.host}:{args.port}"
    return Settings.for_data_dir(
        args.data,
        args.database_url,
        public_url,
        getattr(args, "open_meteo_url", None),
        database_connections=getattr(args, "database_connections", None),
        workers=getattr(args, "workers", 1),
        # FOYER_GEOCODING_URL when the flag is not given (tests and screenshots start the
        # backend with a fake Open-Meteo through it).
        geocoding_url=getattr(args, "geocoding_url", None) or os.environ.get("FOYER_GEOCODING_URL"),
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = _settings(args)
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers)
    engine = db.make_engine(settings.database_url)
    db.upgrade_to_head(engine)
    if args.command == "migrate":
        return 0
    sessions = db.make_session_factory(engine)
    try:
        with db.session_scope(sessions) as session:
            if args.command == "create-user":
                from backend.services.accounts import create_user

                user = create_user(session, args.email, args.password, args.name, args.role)
                print(f"created user {user.id} <{user.email}>")
            elif args.command == "seed-demo":
                from backend import demo_data

                today = datetime.now(ZoneInfo("Europe/Paris")).date()
                user, beneficiary = demo_data.seed(session, today)
                print(f"demo care manager {user.email}, beneficiary {beneficiary.id}")
    except ServiceError as exc:
        print(f"foyer-backend: {exc.message}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    from backend.app import create_app

    if not db.is_sqlite(settings.database_url):
        try:
            db.pool_for(settings.database_connections, workers)
        except ValueError as exc:
            print(f"foyer-backend: {exc}", file=sys.stderr)
            return 2
    if workers > 1:
        if db.is_sqlite(settings.database_url):
            print("foyer-backend: several workers need PostgreSQL", file=sys.stderr)
            return 2
        # Migrate once here, not in each worker racing the others.
        engine = db.make_engine(settings.database_url)
        db.upgrade_to_head(engine)
        engine.dispose()
        os.environ["FOYER_DATA"] = str(settings.data_dir)
        os.environ["FOYER_DATABASE_URL"] = settings.database_url
        os.environ["FOYER_PUBLIC_URL"] = settings.public_url
        os.environ["FOYER_OPEN_METEO_URL"] = settings.open_meteo_url
        os.environ["FOYER_GEOCODING_URL"] = settings.geocoding_url
        os.environ["FOYER_DATABASE_CONNECTIONS"] = str(settings.database_connections)
        os.environ["FOYER_WORKERS"] = str(workers)
        uvicorn.run(
            "backend.asgi:app",
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            timeout_graceful_shutdown=5,
        )
        return 0
    app = create_app(settings)
    print(f"Foyer backend listening on http://{host}:{port}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
