"""Push a release to the Hugging Face Hub: create the dataset repo, upload the folder, tag it v<VERSION>.

The operations are planned as data first (`plan_push`), so `--dry-run` shows exactly the calls that
`push` would make with huggingface_hub.HfApi. Not exercised against the real Hub here (no network):
the tests check the planned calls and run them against a recording stand-in for HfApi.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from goldkit.errors import ConfigError, HubError
from goldkit.release.build import MANIFEST, read_manifest, verify_checksums

UPLOADED_COMMIT = "<commit made by upload_folder>"  # filled in when the upload has returned


@dataclass(frozen=True)
class HubOperation:
    """One HfApi method call: its name and keyword arguments."""

    method: str
    kwargs: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "kwargs": {k: str(v) if isinstance(v, Path) else v for k, v in self.kwargs.items()},
        }


def plan_push(release: Path, repo_id: str, private: bool = False) -> list[HubOperation]:
    """Return the HfApi calls that publish a release so load_dataset(repo_id, revision='vX.Y.Z') works."""
    if "/" not in repo_id:
        raise ConfigError(f"{repo_id!r} is not a Hub repo id", repo_id=repo_id)
    if not (release / MANIFEST).is_file():
        raise ConfigError(f"{release} is not a release folder", path=str(release), release_folder=False)
    if broken := verify_checksums(release):
        raise ConfigError(
            f"{release} does not match its SHA256SUMS: {', '.join(broken)}",
            path=str(release),
            broken=broken,
        )
    version = read_manifest(release)["version"]
    tag = f"v{version}"
    return [
        HubOperation("create_repo", {"repo_id": repo_id, "repo_type": "dataset", "private": private, "exist_ok": True}),
        HubOperation(
            "upload_folder",
            {
                "repo_id": repo_id,
                "repo_type": "dataset",
                "folder_path": release,
                "commit_message": f"Release {tag}",
                # the repo root is always exactly one release: files of an older release are removed
                "delete_patterns": ["*"],
            },
        ),
        HubOperation(
            "create_tag",
            {
                "repo_id": repo_id,
                "repo_type": "dataset",
                "tag": tag,
                "revision": UPLOADED_COMMIT,
                "tag_message": f"Release {tag}",
            },
        ),
    ]


def push(operations: list[HubOperation], api: Any = None, token: str | None = None) -> list[Any]:
    """Run the planned operations in order with HfApi; the tag points at the commit the upload made."""
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi(token=token)
    results: list[Any] = []
    commit: str | None = None
    for operation in operations:
        kwargs = dict(operation.kwargs)
        if kwargs.get("revision") == UPLOADED_COMMIT:
            kwargs["revision"] = commit
        try:
            result = getattr(api, operation.method)(**kwargs)
        except Exception as e:  # noqa: BLE001 - huggingface_hub raises many HTTP and OS errors
            raise HubError(
                f"{operation.method} failed on {kwargs.get('repo_id')}: {e}", operation=operation.method
            ) from e
        if operation.method == "upload_folder":
            commit = getattr(result, "oid", None)
        results.append(result)
    return results
