"""The embedded server's state is private: folders 0700, database and logs 0600 (the database holds API tokens)."""

from __future__ import annotations

import stat
from pathlib import Path

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
    assert '["_pull", self.url, str(out)' in bench and "self.key, str(out)" not in bench
