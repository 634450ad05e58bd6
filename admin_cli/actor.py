"""Who runs the command line, as the audit log names them.

The command line needs the database, so whoever runs it already controls everything the
database holds; its commands are not role-checked. Every change is still audited under
``cli:<operating-system user>``, or the name given with ``--actor``.
"""

from __future__ import annotations

import getpass

CLI_CHANNEL = "cli"


def cli_actor(name: str | None = None) -> str:
    """``cli:<name>`` for the audit log; the operating-system user when no name is given."""
    if name:
        return name if ":" in name else f"{CLI_CHANNEL}:{name}"
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        user = "unknown"
    return f"{CLI_CHANNEL}:{user}"
