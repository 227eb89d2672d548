"""`foyer-backend`: run the service and manage it from the command line."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from backend import db
from backend.config import SMTP_SECURITY, Settings, mail_env
from backend.errors import ServiceError


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True, help="data directory (SQLite file)")
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL, e.g. postgresql://host/db (default: SQLite)"
    )


def _mail(parser: argparse.ArgumentParser) -> None:
    """E-mail and jobs settings; each may also come from the environment (FOYER_SMTP_HOST…,
    docs/operations.md), which is where the SMTP password belongs (or --smtp-password-file):
    a password on the command line is visible to every user of the machine."""
    group = parser.add_argument_group("e-mail and jobs (docs/operations.md)")
    group.add_argument("--smtp-host", help="SMTP server; without one e-mails go to --mail-dir")
    group.add_argument("--smtp-port", type=int, help="default 587 (starttls), 465 (ssl), 25 (none)")
    group.add_argument(
        "--smtp-security",
        choices=SMTP_SECURITY,
        help="starttls (default: refused if the server does not offer it), ssl, or none",
    )
    group.add_argument("--smtp-username", help="SMTP login, if the server wants one")
    group.add_argument(
        "--smtp-password-file",
        type=Path,
        help="file holding the SMTP password (or the FOYER_SMTP_PASSWORD environment variable)",
    )
    group.add_argument("--mail-from", help='sender, e.g. "Foyer <foyer@example.org>"')
    group.add_argument(
        "--mail-dir", type=Path, help="where e-mails are written without --smtp-host (DIR/mail)"
    )
    group.add_argument(
        "--jobs-poll-seconds", type=float, help="how often a worker looks for due jobs (1)"
    )
    group.add_argument(
        "--tablet-offline-hours",
        type=float,
        help="a tablet unseen this long raises an alert (6)",
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
    serve.add_argument(
        "--no-jobs",
        action="store_true",
        help="run no jobs worker in the service (a `foyer-backend jobs` process runs them)",
    )
    _mail(serve)
    jobs_command = sub.add_parser(
        "jobs", help="run the jobs (e-mails, escalations, checks) without serving HTTP"
    )
    _common(jobs_command)
    jobs_command.add_argument(
        "--public-url", help="the console's address, for the links in e-mails"
    )
    jobs_command.add_argument("--once", action="store_true", help="run the jobs due now, then exit")
    _mail(jobs_command)
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
    restored = sub.add_parser(
        "restored",
        help="after restoring the database from a backup, before serving: tablets holding "
        "changes the restore lost sync whole again (docs/deployment.md)",
    )
    _common(restored)
    _release_parsers(sub)
    return parser


def _release_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`release add|list` and `rollout create|list|advance|pause|resume|halt` (docs/updates.md)."""
    release = sub.add_parser("release", help="signed releases of Foyer (docs/updates.md)")
    release_sub = release.add_subparsers(dest="release_command", required=True)
    add = release_sub.add_parser("add", help="keep a signed release for the tablets")
    _common(add)
    add.add_argument("file", type=Path, help="the wheel, or a .tar of wheels")
    add.add_argument("--version", required=True, help="its version, e.g. 0.2.0")
    signature = add.add_mutually_exclusive_group(required=True)
    signature.add_argument("--signature", help="base64 signature (scripts/release.py sign)")
    signature.add_argument("--signature-file", type=Path, help="file holding the signature")
    add.add_argument("--notes", default="", help="what changes, in a few words")
    add.add_argument(
        "--keys-dir",
        type=Path,
        help="trusted public keys (*.pub); default FOYER_RELEASE_KEYS_DIR or the project's key",
    )
    _common(release_sub.add_parser("list", help="the releases kept, newest first"))

    rollout = sub.add_parser("rollout", help="offer a release to tablets by stages")
    rollout_sub = rollout.add_subparsers(dest="rollout_command", required=True)
    create = rollout_sub.add_parser("create", help="start a rollout (active at its first stage)")
    _common(create)
    create.add_argument("--version", required=True, help="a release's version")
    create.add_argument(
        "--organisation", type=int, help="organisation id (default: every organisation)"
    )
    create.add_argument("--channel", default="stable", choices=["stable", "beta"])
    create.add_argument("--stages", default="5,25,100", help="percentages (default 5,25,100)")
    create.add_argument(
        "--failure-threshold", type=int, default=20, help="halt above this %% of failures (20)"
    )
    create.add_argument(
        "--failure-min-count", type=int, default=2, help="…and at least this many failures (2)"
    )
    _common(rollout_sub.add_parser("list", help="every rollout with its progress"))
    for action, words in (
        ("advance", "to its next stage (from the last one: done)"),
        ("pause", "offered to no more tablets until resumed"),
        ("resume", "offered again (a paused or halted rollout)"),
        ("halt", "stopped, withdrawn from tablets that have not installed it"),
    ):
        command = rollout_sub.add_parser(action, help=words)
        _common(command)
        command.add_argument("id", type=int, help="the rollout's id")
        if action == "halt":
            command.add_argument("--reason", default="Arrêté par l'exploitant.")


def _mail_options(args: argparse.Namespace) -> dict[str, object]:
    password = None
    password_file = getattr(args, "smtp_password_file", None)
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    hours = getattr(args, "tablet_offline_hours", None)
    options: dict[str, object] = {
        "smtp_host": getattr(args, "smtp_host", None),
        "smtp_port": getattr(args, "smtp_port", None),
        "smtp_security": getattr(args, "smtp_security", None),
        "smtp_username": getattr(args, "smtp_username", None),
        "smtp_password": password,
        "mail_from": getattr(args, "mail_from", None),
        "mail_dir": getattr(args, "mail_dir", None),
        "jobs_poll_seconds": getattr(args, "jobs_poll_seconds", None),
        "tablet_offline_after_seconds": None if hours is None else round(hours * 3600),
    }
    if getattr(args, "no_jobs", False):
        options["run_jobs"] = False
    return options


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
        mail=_mail_options(args),
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = _settings(args)
    except (ValueError, OSError) as exc:
        print(f"foyer-backend: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers)
    engine = db.make_engine(settings.database_url)
    db.upgrade_to_head(engine)
    if args.command == "migrate":
        return 0
    if args.command == "restored":
        from backend.services.sync import mark_restored

        with db.session_scope(db.make_session_factory(engine)) as session:
            start, end = mark_restored(session)
        engine.dispose()
        print(
            f"journal gap after change {start}: tablets beyond it sync whole; next change {end + 1}"
        )
        return 0
    sessions = db.make_session_factory(engine)
    if args.command == "jobs":
        try:
            return _run_jobs(settings, sessions, once=args.once)
        finally:
            engine.dispose()
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
            elif args.command == "release":
                _release_command(session, settings, args)
            elif args.command == "rollout":
                _rollout_command(session, args)
    except ServiceError as exc:
        print(f"foyer-backend: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file named on the command line (release add)
        print(f"foyer-backend: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


def _release_command(session: Session, settings: Settings, args: argparse.Namespace) -> None:
    from backend.api.deps import utc_now
    from backend.services import releases
    from common.release_signature import load_public_keys

    if args.release_command == "list":
        for release in releases.list_releases(session):
            print(
                f"{release.version}\t{release.filename}\t{release.size} bytes\t"
                f"sha256 {release.sha256}\t{release.created_at:%Y-%m-%d %H:%M} UTC"
            )
        return
    signature = args.signature
    if args.signature_file is not None:
        signature = args.signature_file.read_text(encoding="ascii").strip()
    keys_dir = args.keys_dir or settings.release_keys_dir
    release = releases.add_release(
        session,
        source=args.file,
        version=args.version,
        signature_b64=signature,
        trusted_keys=load_public_keys(keys_dir),
        data_dir=settings.data_dir,
        notes=args.notes,
        now=utc_now(),
    )
    print(f"release {release.id}: {release.version} ({release.size} bytes, {release.sha256})")


def _rollout_command(session: Session, args: argparse.Namespace) -> None:
    from backend.api.deps import utc_now
    from backend.services import releases, rollouts

    now = utc_now()
    if args.rollout_command == "create":
        release = releases.by_version(session, args.version)
        rollout = rollouts.create_rollout(
            session,
            organisation_id=args.organisation,
            release_id=release.id,
            channel=args.channel,
            stages=rollouts.parse_stages(args.stages),
            created_by_id=None,
            now=now,
            failure_threshold_percent=args.failure_threshold,
            failure_min_count=args.failure_min_count,
        )
        print(f"rollout {rollout.id}: {release.version} on {rollout.channel}, {rollout.stages}")
        return
    if args.rollout_command == "list":
        from sqlalchemy import select

        from backend.models import Release, Rollout

        for rollout in session.scalars(select(Rollout).order_by(Rollout.id.desc())).all():
            kept = session.get(Release, rollout.release_id)
            p = rollouts.progress(session, rollout)
            where = rollout.organisation_id or "all"
            print(
                f"{rollout.id}\t{kept.version if kept else '?'}\torg {where}\t"
                f"{rollout.channel}\t{rollout.state}\t{p.stage_percent} %\t"
                f"targeted {p.targeted}, pending {p.offered}, installed {p.installed}, "
                f"failed {p.failed}, rolled back {p.rolled_back}"
                + (f"\t{rollout.halted_reason}" if rollout.halted_reason else "")
            )
        return
    rollout = rollouts.get_rollout(session, args.id)
    if args.rollout_command == "advance":
        rollouts.advance(session, rollout, now)
    elif args.rollout_command == "pause":
        rollouts.pause(session, rollout, now)
    elif args.rollout_command == "resume":
        rollouts.resume(session, rollout, now)
    else:
        rollouts.halt(session, rollout, args.reason, now)
    print(f"rollout {rollout.id}: {rollout.state}, stage {rollouts.stage_percent(rollout)} %")


def _run_jobs(settings: Settings, sessions: sessionmaker[Session], *, once: bool) -> int:
    """A dedicated jobs worker: every job kind the service knows, on the system clock, until
    SIGTERM or Ctrl-C (the job under way finishes first)."""
    from backend.api.deps import utc_now
    from backend.app import api_routers, configure_jobs, plan_periodic_jobs
    from backend.services import jobs

    api_routers()  # imports every service, and so every job handler they register
    configure_jobs(settings)
    with db.session_scope(sessions) as session:
        plan_periodic_jobs(session, utc_now())
    if once:
        done = jobs.run_due(sessions, jobs.default_worker_id(), utc_now())
        print(f"{done} job(s) done", flush=True)
        return 0
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker = jobs.Worker(sessions, utc_now, poll_seconds=settings.jobs_poll_seconds)
    worker.start()
    print(f"Foyer jobs worker {worker.worker_id} running", flush=True)
    stop.wait()
    worker.stop()
    return 0


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    from backend.app import create_app
    from backend.console.secret import load_or_create

    try:
        # Here rather than in each worker: a FOYER_CONSOLE_SECRET too short is said in one line.
        load_or_create(settings.data_dir / "console-secret")
        if not db.is_sqlite(settings.database_url):
            db.pool_for(settings.database_connections, workers)
    except (ValueError, OSError) as exc:
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
        # The mail and jobs settings (backend.config.Settings.for_data_dir reads them back).
        os.environ.update(mail_env(settings))
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
