"""``python -m bot`` is ``legalbot``."""

from bot.cli import main

main()
