"""``python -m admin_cli`` is ``legalbot-admin``."""

from admin_cli.main import main

main()
