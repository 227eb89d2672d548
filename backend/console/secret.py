"""The console's server secret: generated once per data directory, never shipped.

It signs the CSRF tokens (an HMAC of the session). A fixed default would let anyone who reads
the source forge them, so there is none: the first start writes 32 random bytes to
`<data>/console-secret` (mode 0600), and every worker and restart reads the same file.
`FOYER_CONSOLE_SECRET` overrides it where several machines serve the same database.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

ENV_VAR = "FOYER_CONSOLE_SECRET"
MIN_ENV_LENGTH = 32


def load_or_create(path: Path) -> bytes:
    from_env = os.environ.get(ENV_VAR)
    if from_env is not None:
        if len(from_env) < MIN_ENV_LENGTH:
            raise ValueError(f"{ENV_VAR} must hold at least {MIN_ENV_LENGTH} characters.")
        return from_env.encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of several workers starting together, one writes and the others read.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    text = path.read_text().strip()
    for _ in range(20):  # another worker may be between its create and its write
        if len(text) >= MIN_ENV_LENGTH:
            break
        time.sleep(0.05)
        text = path.read_text().strip()
    if len(text) < MIN_ENV_LENGTH:  # a half-written file from a crash: never sign with it
        raise ValueError(f"{path} is empty or truncated; delete it to generate a new secret.")
    return text.encode()
