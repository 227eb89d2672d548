"""The ICE servers handed to each side of a call, with short-lived TURN credentials.

coturn's shared-secret scheme ("TURN REST API", `use-auth-secret` with `static-auth-secret`):
the username is "<expiry unix time>:<subject>" and the password base64(HMAC-SHA1(secret,
username)). coturn recomputes the HMAC with the same secret and refuses an expired username,
so the backend and coturn share nothing but the secret, and a leaked credential dies alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any

from backend.config import Settings


def credential_for(secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def ice_servers(settings: Settings, subject: str, now: datetime) -> list[dict[str, Any]]:
    """RTCIceServer dictionaries: the STUN servers, then the TURN servers with a credential
    for `subject` ("call12-tablet", "call12-user3") valid `turn_ttl_seconds` from `now`. No
    TURN entry without a secret (a TURN server would refuse every allocation)."""
    servers: list[dict[str, Any]] = []
    if settings.stun_urls:
        servers.append({"urls": list(settings.stun_urls)})
    if settings.turn_urls and settings.turn_secret:
        expiry = int(now.timestamp()) + settings.turn_ttl_seconds
        username = f"{expiry}:{subject}"
        servers.append(
            {
                "urls": list(settings.turn_urls),
                "username": username,
                "credential": credential_for(settings.turn_secret, username),
            }
        )
    return servers
