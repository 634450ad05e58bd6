"""Settings of the Telegram channel, read from ``TELEGRAM_*`` variables or ``.env``."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.settings import explain as explain_settings

DEFAULT_BASE_URL = "https://api.telegram.org/bot"

# Telegram accepts 1-256 characters from this alphabet as a webhook secret token.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

MISSING_TOKEN = "Set TELEGRAM_BOT_TOKEN (from @BotFather) to run the Telegram bot."
MISSING_WEBHOOK_URL = (
    "Set TELEGRAM_WEBHOOK_URL (the public HTTPS address Telegram posts updates to) "
    "to run the Telegram bot in webhook mode, or set TELEGRAM_MODE=polling."
)
MISSING_WEBHOOK_SECRET = (
    "Set TELEGRAM_WEBHOOK_SECRET (1-256 characters: letters, digits, _ and -) "
    "to run the Telegram bot in webhook mode, or set TELEGRAM_MODE=polling."
)


class TelegramSettings(BaseSettings):
    """Everything the Telegram channel needs; the README lists each variable."""

    model_config = SettingsConfigDict(
        env_prefix="TELEGRAM_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    base_url: str = DEFAULT_BASE_URL
    mode: Literal["polling", "webhook"] = "polling"

    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None

    # Per-user flood control: this many questions per window, then one polite notice.
    flood_max_questions: int = Field(default=20, ge=1)
    flood_window_seconds: float = Field(default=60.0, gt=0)

    # Outgoing limits for AIORateLimiter; 0 turns a limit off.
    rate_limit_per_second: float = Field(default=30.0, ge=0)
    rate_limit_group_per_minute: float = Field(default=20.0, ge=0)

    # Conversations kept in memory (least recently used are forgotten first).
    max_conversations: int = Field(default=10_000, ge=1)
    concurrent_updates: int = Field(default=64, ge=1)

    @field_validator("bot_token", "webhook_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_alphabet(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_RE.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters: letters, digits, _ and -")
        return value

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def base_file_url(self) -> str:
        """File download URL of the same Bot API server (``…/bot`` becomes ``…/file/bot``)."""
        if self.base_url.endswith("/bot"):
            return self.base_url[: -len("/bot")] + "/file/bot"
        return self.base_url

    @property
    def webhook_path(self) -> str:
        """The path the webhook server answers on, taken from the public URL."""
        return urlsplit(self.webhook_url or "").path or "/"

    def problems(self) -> list[str]:
        """What the operator still has to set, one English sentence each; empty when ready."""
        found = []
        if self.bot_token is None:
            found.append(MISSING_TOKEN)
        if self.mode == "webhook":
            if not self.webhook_url:
                found.append(MISSING_WEBHOOK_URL)
            if self.webhook_secret is None:
                found.append(MISSING_WEBHOOK_SECRET)
        return found


def explain(error: ValidationError) -> list[str]:
    """One line per invalid setting, naming its variable."""
    return explain_settings(error, "TELEGRAM_")
