"""The organization's invite link: read it to sign an annotator up, reset it right after.

Label Studio's community edition has one signup link per organization (`/user/signup/?token=…`), valid
until someone resets it, and no roles: every member may read it (`GET /api/invite`) and reset it. goldkit
cannot stop a member from fetching it; what it can do is make sure a link it used to create an account
never stays valid afterwards, so a copy of that link (in a shell history, a proxy log, a chat) cannot
create accounts later.
"""

from __future__ import annotations

import httpx

from goldkit.errors import ServerError

INVITE_PATH = "/api/invite"
RESET_PATH = "/api/invite/reset-token"  # OrganizationResetTokenAPI, Label Studio 1.23.2


def invite_token(url: str, admin_token: str) -> str:
    """The organization's current signup token."""
    return _token(httpx.get(f"{url}{INVITE_PATH}", headers=_auth(admin_token), timeout=30), url, INVITE_PATH)


def reset_invite_token(url: str, admin_token: str) -> str:
    """Make every earlier invite link invalid; return the new token (never shown to anyone)."""
    answer = httpx.post(f"{url}{RESET_PATH}", headers=_auth(admin_token), json={}, timeout=30)
    return _token(answer, url, RESET_PATH)


def _auth(admin_token: str) -> dict[str, str]:
    return {"Authorization": f"Token {admin_token}"}


def _token(answer: httpx.Response, url: str, path: str) -> str:
    try:
        body = answer.json() if answer.status_code in (200, 201) else None
    except ValueError:  # not JSON: not Label Studio's API answering
        body = None
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise ServerError(f"{path} at {url} answered HTTP {answer.status_code} without an invite token", url=url)
    return token
