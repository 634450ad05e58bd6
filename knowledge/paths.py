"""Where the bundled curated data lives."""

from __future__ import annotations

from pathlib import Path

import faq_data
from knowledge.settings import get_settings


def bundled_data_dir() -> Path:
    """The ``faq_data`` package shipped with the bot."""
    return Path(faq_data.__file__).resolve().parent


def data_dir() -> Path:
    """Directory of the curated data: the ``DATA_DIR`` setting if set, else the bundled data."""
    return get_settings().data_dir or bundled_data_dir()
