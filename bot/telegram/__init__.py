"""The Telegram channel: a thin python-telegram-bot adapter over the core's dialog."""
