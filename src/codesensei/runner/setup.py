"""`sensei sandbox setup`: the one-time root step, so the server itself can run unprivileged.

It creates the `sensei-box` system user that candidate code runs as when the server is root, and the
`codesensei` cgroup subtree under memory, pids and cpuacct, owned by the server's user for delegation.
"""

from __future__ import annotations

import pwd
import subprocess
from typing import Any

from codesensei.runner.cgroups import CONTROLLERS, ensure_parent, parent_dir
from codesensei.runner.sandbox import BOX_USER


def setup_sandbox(server_user: str | None) -> dict[str, Any]:
    steps: list[str] = []
    try:
        pwd.getpwnam(BOX_USER)
        steps.append(f"user {BOX_USER} already exists")
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                "--user-group",
                BOX_USER,
            ],
            check=True,
            capture_output=True,
        )
        steps.append(f"created system user {BOX_USER}")
    owner = pwd.getpwnam(server_user).pw_uid if server_user else None
    ensure_parent(owner)
    for controller in CONTROLLERS:
        steps.append(
            f"cgroup {parent_dir(controller)} ready" + (f", delegated to {server_user}" if server_user else "")
        )
    return {"box_user": BOX_USER, "server_user": server_user, "steps": steps}
