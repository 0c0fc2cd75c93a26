"""What a client can read in a JWT without its key: the header and the claims.

A token's signature and its time claims change from run to run; what it says does not (who it
is for, its type, its permissions, how long it lives). Normalisation shows that part, so a
candidate that issues tokens with other claims or another lifetime differs from the legacy.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jwt

JWT = re.compile(r"^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
TIME_CLAIMS = ("iat", "nbf", "exp")
ID_CLAIM = "jti"


@functools.lru_cache(maxsize=4096)  # a token recurs in many frames and runs; treat the result as read-only
def read(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The unverified header and claims of a JWT, or None if it is not one."""
    if not JWT.match(token):
        return None
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    return (header, claims) if isinstance(claims, dict) else None


def lifetime(claims: dict[str, Any]) -> Any:
    """``exp - iat`` when both are numbers (the token's lifetime), else None."""
    issued, expires = claims.get("iat"), claims.get("exp")
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (issued, expires))
    return expires - issued if numbers else None
