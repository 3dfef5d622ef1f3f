"""The embedded server's state is private: folders 0700, database and logs 0600 (the database holds API tokens)."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path
from typing import Any

import pytest

from goldkit.labelstudio import server


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_and_data_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    paths = server.ServerPaths(tmp_path / ".goldkit", tmp_path / ".goldkit" / "ls-venv")
    database = paths.data_dir / "label_studio.sqlite3"
    media = paths.data_dir / "media" / "upload"
    media.mkdir(parents=True)
    database.write_text("tokens in clear")
    database.chmod(0o644)  # what Label Studio's default umask gave it
    paths.state.chmod(0o755)
    server.private_folders(paths)
    assert _mode(paths.state) == 0o700 and _mode(paths.data_dir) == 0o700 and _mode(media) == 0o700
    assert _mode(database) == 0o600


def test_credentials_are_written_0600(tmp_path: Path) -> None:
    paths = server.ServerPaths(tmp_path / ".goldkit", tmp_path / ".goldkit" / "ls-venv")
    server.save_credentials(paths, server.Credentials.generate())
    assert _mode(paths.credentials) == 0o600


def test_the_bench_passes_the_admin_token_in_the_environment_not_argv() -> None:
    bench = (Path(__file__).resolve().parents[2] / "bench" / "push_pull.py").read_text(encoding="utf-8")
    assert '["_pull", self.url, *args], key=self.key' in bench and "self.key, str(" not in bench
    assert "env = {**os.environ, KEY_ENV: key" in bench and "command = [sys.executable, __file__, *args]" in bench


def _sign_up_by_hand(url: str, org_token: str, email: str) -> int:
    """Post Label Studio's signup form as a browser would (CSRF cookie and field); the final HTTP status."""
    import re

    import httpx

    with httpx.Client(base_url=url, timeout=120, follow_redirects=True) as browser:
        form = browser.get(f"/user/signup/?token={org_token}")
        match = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', form.text)
        csrf = match.group(1) if match else str(browser.cookies.get("csrftoken", ""))
        done = browser.post(
            f"/user/signup/?token={org_token}",
            data={
                "csrfmiddlewaretoken": csrf,
                "email": email,
                "password": "a-long-password-1",
                "allow_newsletters": "",
            },
            headers={"Referer": f"{url}/user/signup/?token={org_token}", "X-CSRFToken": csrf},
        )
        return done.status_code


def _emails(ls_server: Any) -> set[str]:
    from goldkit.labelstudio import client as lsclient

    return {u.email for u in lsclient.connect(ls_server.url, ls_server.api_key).users.list()}


@pytest.mark.integration
def test_the_invite_link_used_to_create_an_account_never_works_again(ls_server: Any) -> None:
    from goldkit.labelstudio import invites

    used = invites.invite_token(ls_server.url, ls_server.api_key)  # the link create_user is about to use
    tag = uuid.uuid4().hex[:8]
    account = server.create_user(f"invited-{tag}@goldkit.local", paths=ls_server.paths)
    assert account.token and account.email in _emails(ls_server)
    current = invites.invite_token(ls_server.url, ls_server.api_key)
    assert current != used

    late = f"late-{tag}@goldkit.local"
    assert _sign_up_by_hand(ls_server.url, used, late) == 403  # PermissionDenied: not the organization's token
    assert late not in _emails(ls_server)
    # control: the same hand-made signup with the current link does create an account, so the 403 above is
    # the reset, not a broken form; then reset again so no link this test saw stays valid
    control = f"control-{tag}@goldkit.local"
    try:
        assert _sign_up_by_hand(ls_server.url, current, control) == 200
        assert control in _emails(ls_server)
    finally:
        invites.reset_invite_token(ls_server.url, ls_server.api_key)
    assert _sign_up_by_hand(ls_server.url, current, f"later-{tag}@goldkit.local") == 403


@pytest.mark.integration
def test_an_annotator_can_still_read_and_reset_the_invite_link(ls_server: Any) -> None:
    """The limit the README states: the community edition has no roles, so this cannot be closed by goldkit.

    If a Label Studio release ever refuses an annotator here, this test fails and the README's Security
    section should say the limit is gone.
    """
    from goldkit.labelstudio import invites

    annotator = ls_server.annotators[0]
    seen = invites.invite_token(ls_server.url, annotator.token)
    assert seen == invites.invite_token(ls_server.url, ls_server.api_key)
    invites.reset_invite_token(ls_server.url, annotator.token)  # an annotator may reset it too
    assert invites.invite_token(ls_server.url, ls_server.api_key) != seen
