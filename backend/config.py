"""Where the backend keeps its data and how it is reached, decided once at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SMTP_SECURITY = ("starttls", "ssl", "none")
# Where the appliance keeps the public release keys it trusts (images/install-appliance.sh).
SYSTEM_RELEASE_KEYS_DIR = Path("/usr/share/foyer/release-keys")
RELEASE_KEYS_ENV = "FOYER_RELEASE_KEYS_DIR"


def default_release_keys_dir() -> Path:
    """The public release keys a release must be signed with (docs/updates.md): from a
    checkout, the repository's images/files (foyer-release-key.pub); installed, the
    appliance's directory. FOYER_RELEASE_KEYS_DIR overrides both (`Settings.for_data_dir`)."""
    checkout = Path(__file__).resolve().parents[1] / "images" / "files"
    if (checkout / "foyer-release-key.pub").is_file():
        return checkout
    return SYSTEM_RELEASE_KEYS_DIR


# The port each kind of connection uses when none is given.
SMTP_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    # The address people type or scan: shown on the tablet as the verification URI.
    public_url: str = "http://127.0.0.1:8000"
    # Pairing (RFC 8628): how long a code lives and how often the tablet may poll.
    pairing_code_ttl_seconds: int = 600
    pairing_poll_interval_seconds: int = 5
    # §5.1: wrong user codes a care manager may type in a window before 429.
    pairing_max_wrong_codes: int = 5
    pairing_wrong_code_window_seconds: int = 900
    access_token_ttl_seconds: int = 12 * 3600
    # Longest a sync request may wait for a change (the tablet asks for less).
    max_sync_wait_seconds: float = 30.0
    # Weather: Open-Meteo's forecast API (tests point this at a local fake server).
    open_meteo_url: str = "https://api.open-meteo.com/v1/forecast"
    weather_ttl_seconds: int = 1800
    # Geocoding: Open-Meteo's search by town name (a town typed in the console becomes the
    # coordinates the weather needs); answers are kept a month in the database.
    geocoding_url: str = "https://geocoding-api.open-meteo.com/v1/search"
    geocoding_ttl_seconds: int = 30 * 24 * 3600
    # Photos: the largest upload accepted, and where processed files are kept.
    photo_max_bytes: int = 25 * 1024 * 1024
    # Invitations into a circle stay valid this long.
    invitation_ttl_seconds: int = 14 * 24 * 3600
    # PostgreSQL: the most connections all workers together open (backend.db.pool_for), and
    # how many uvicorn worker processes share them.
    database_connections: int = 60
    workers: int = 1
    # Jobs (backend.services.jobs): each process runs a worker thread polling the jobs table
    # every `jobs_poll_seconds` unless `run_jobs` is off (a dedicated `foyer-backend jobs`
    # process then runs them).
    run_jobs: bool = True
    jobs_poll_seconds: float = 1.0
    # E-mail (backend.services.mail). Without `smtp_host`, each message is written as an .eml
    # file in `mail_dir` (the demo; `for_data_dir` puts it in data_dir/mail).
    smtp_host: str | None = None
    smtp_port: int | None = None  # None: 587 with STARTTLS, 465 with SSL, 25 without
    smtp_security: str = "starttls"  # SMTP_SECURITY
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    mail_from: str = "Foyer <foyer@localhost>"
    mail_dir: Path | None = None
    smtp_timeout_seconds: float = 30.0
    # A tablet not seen for this long raises a "tablet_offline" alert.
    tablet_offline_after_seconds: int = 6 * 3600
    # Video calls (docs/calls.md): the STUN and TURN servers handed to both sides of a call,
    # coturn's shared secret (`static-auth-secret`; without it no TURN server is handed out),
    # how long a TURN credential lives, and how long a call rings.
    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    turn_secret: str | None = field(default=None, repr=False)
    turn_ttl_seconds: int = 3600
    call_ring_seconds: int = 45
    # Signed releases (docs/updates.md): every *.pub file of this directory is a trusted
    # release key; a release is added only if one of them verifies its signature.
    release_keys_dir: Path = field(default_factory=default_release_keys_dir)

    @property
    def smtp_port_or_default(self) -> int:
        return self.smtp_port or SMTP_DEFAULT_PORTS.get(self.smtp_security, 587)

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def release_dir(self) -> Path:
        """Where release files are kept, each under its SHA-256."""
        return self.data_dir / "releases"

    @classmethod
    def for_data_dir(
        cls,
        data_dir: Path,
        database_url: str | None = None,
        public_url: str | None = None,
        open_meteo_url: str | None = None,
        *,
        geocoding_url: str | None = None,
        database_connections: int | None = None,
        workers: int = 1,
        mail: Mapping[str, object] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """`mail`: the e-mail and jobs settings given (`mail_options`); those not given come
        from the environment (FOYER_SMTP_HOST…, `mail_options_from_env`: how the uvicorn
        workers and a password kept out of the command line get them), else the defaults."""
        data_dir = data_dir.expanduser().resolve()
        url = database_url or f"sqlite:///{data_dir / 'foyer.sqlite3'}"
        options: dict[str, object] = {"mail_dir": data_dir / "mail"}
        options.update(mail_options_from_env(os.environ if environ is None else environ))
        options.update(call_options_from_env(os.environ if environ is None else environ))
        options.update({k: v for k, v in (mail or {}).items() if v is not None})
        check_mail_options(options)
        check_call_options(options)
        keys = (os.environ if environ is None else environ).get(RELEASE_KEYS_ENV, "").strip()
        if keys:
            options["release_keys_dir"] = Path(keys).expanduser()
        return cls(
            data_dir=data_dir,
            database_url=url,
            public_url=(public_url or cls.public_url).rstrip("/"),
            open_meteo_url=open_meteo_url or cls.open_meteo_url,
            geocoding_url=geocoding_url or cls.geocoding_url,
            database_connections=database_connections or cls.database_connections,
            workers=workers,
            **options,  # type: ignore[arg-type]
        )


# The mail and jobs settings and the environment variable each one can come from.
MAIL_ENV = {
    "smtp_host": "FOYER_SMTP_HOST",
    "smtp_port": "FOYER_SMTP_PORT",
    "smtp_security": "FOYER_SMTP_SECURITY",
    "smtp_username": "FOYER_SMTP_USERNAME",
    "smtp_password": "FOYER_SMTP_PASSWORD",
    "mail_from": "FOYER_MAIL_FROM",
    "mail_dir": "FOYER_MAIL_DIR",
    "run_jobs": "FOYER_RUN_JOBS",
    "jobs_poll_seconds": "FOYER_JOBS_POLL_SECONDS",
    "tablet_offline_after_seconds": "FOYER_TABLET_OFFLINE_AFTER_SECONDS",
}
_CONVERT: dict[str, type] = {
    "smtp_port": int,
    "jobs_poll_seconds": float,
    "tablet_offline_after_seconds": int,
}


def mail_options_from_env(environ: Mapping[str, str]) -> dict[str, object]:
    options: dict[str, object] = {}
    for name, variable in MAIL_ENV.items():
        raw = environ.get(variable)
        if raw is None or raw == "":
            continue
        if name == "run_jobs":
            options[name] = raw.strip().lower() not in ("0", "false", "no", "off")
        elif name == "mail_dir":
            options[name] = Path(raw)
        elif name in _CONVERT:
            try:
                options[name] = _CONVERT[name](raw)
            except ValueError as exc:
                raise ValueError(f"{variable}: not a number: {raw!r}") from exc
        else:
            options[name] = raw
    return options


def mail_env(settings: Settings) -> dict[str, str]:
    """The environment that gives `settings`' mail and jobs settings to another process (the
    uvicorn workers), the inverse of `mail_options_from_env`."""
    env = {}
    for name, variable in MAIL_ENV.items():
        value = getattr(settings, name)
        if value is None:
            continue
        env[variable] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    return env


def check_mail_options(options: Mapping[str, object]) -> None:
    security = options.get("smtp_security", Settings.smtp_security)
    if security not in SMTP_SECURITY:
        raise ValueError(f"smtp_security must be one of {', '.join(SMTP_SECURITY)}: {security!r}")
    port = options.get("smtp_port")
    if port is not None and not (isinstance(port, int) and 0 < port < 65536):
        raise ValueError(f"smtp_port out of range: {port!r}")
    poll = options.get("jobs_poll_seconds", Settings.jobs_poll_seconds)
    if not (isinstance(poll, int | float) and poll > 0):
        raise ValueError(f"jobs_poll_seconds must be positive: {poll!r}")
    offline = options.get("tablet_offline_after_seconds", Settings.tablet_offline_after_seconds)
    if not (isinstance(offline, int) and offline >= 60):
        raise ValueError(f"tablet_offline_after_seconds must be at least 60: {offline!r}")


# The video calls' settings and their environment variables (lists are comma-separated).
CALL_ENV = {
    "stun_urls": "FOYER_STUN_URLS",
    "turn_urls": "FOYER_TURN_URLS",
    "turn_secret": "FOYER_TURN_SECRET",
    "turn_ttl_seconds": "FOYER_TURN_TTL_SECONDS",
    "call_ring_seconds": "FOYER_CALL_RING_SECONDS",
}


def call_options_from_env(environ: Mapping[str, str]) -> dict[str, object]:
    options: dict[str, object] = {}
    for name, variable in CALL_ENV.items():
        raw = environ.get(variable)
        if raw is None or raw.strip() == "":
            continue
        if name.endswith("_urls"):
            options[name] = tuple(url.strip() for url in raw.split(",") if url.strip())
        elif name.endswith("_seconds"):
            try:
                options[name] = int(raw)
            except ValueError as exc:
                raise ValueError(f"{variable}: not a whole number: {raw!r}") from exc
        else:
            options[name] = raw
    return options


def call_env(settings: Settings) -> dict[str, str]:
    """The environment that gives `settings`' call settings to another process, the inverse
    of `call_options_from_env`."""
    env = {}
    for name, variable in CALL_ENV.items():
        value = getattr(settings, name)
        if value is None or value == ():
            continue
        env[variable] = ",".join(value) if isinstance(value, tuple) else str(value)
    return env


def check_call_options(options: Mapping[str, object]) -> None:
    ttl = options.get("turn_ttl_seconds", Settings.turn_ttl_seconds)
    if not (isinstance(ttl, int) and 60 <= ttl <= 7 * 24 * 3600):
        raise ValueError(f"turn_ttl_seconds must be between 60 and 604800: {ttl!r}")
    ring = options.get("call_ring_seconds", Settings.call_ring_seconds)
    if not (isinstance(ring, int) and 5 <= ring <= 600):
        raise ValueError(f"call_ring_seconds must be between 5 and 600: {ring!r}")
    for name in ("stun_urls", "turn_urls"):
        urls = options.get(name, ())
        for url in urls if isinstance(urls, tuple) else ():
            scheme = str(url).split(":", 1)[0]
            if scheme not in ("stun", "stuns", "turn", "turns"):
                raise ValueError(f"{name}: not a STUN or TURN URL: {url!r}")
