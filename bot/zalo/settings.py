"""Settings of the Zalo channel, read from ``ZALO_*`` variables or ``.env``."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.settings import explain as explain_settings

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"

# Zalo takes 8-256 characters as a webhook secret; it comes back in an HTTP header, so only
# visible ASCII is accepted here.
_SECRET_RE = re.compile(r"^[\x21-\x7e]{8,256}$")
# The token is a path segment of every request URL: nothing that could change the URL.
_TOKEN_RE = re.compile(r"^[A-Za-z0-9:_.-]{8,512}$")

MISSING_TOKEN = "Set ZALO_BOT_TOKEN (from Zalo Bot Manager) to run the Zalo bot."
MISSING_WEBHOOK_URL = (
    "Set ZALO_WEBHOOK_URL (the public HTTPS address Zalo posts events to) "
    "to run the Zalo bot in webhook mode, or set ZALO_MODE=polling."
)
MISSING_WEBHOOK_SECRET = (
    "Set ZALO_WEBHOOK_SECRET (8-256 visible ASCII characters, no spaces) "
    "to run the Zalo bot in webhook mode, or set ZALO_MODE=polling."
)


class ZaloSettings(BaseSettings):
    """Everything the Zalo channel needs; docs/readme-sections/zalo.md lists each variable."""

    model_config = SettingsConfigDict(
        env_prefix="ZALO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    base_url: str = DEFAULT_BASE_URL
    # Zalo recommends the webhook in production; long polling is meant for development.
    mode: Literal["polling", "webhook"] = "polling"

    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8444, ge=1, le=65535)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None

    poll_timeout: int = Field(default=30, ge=1, le=60)
    request_timeout: float = Field(default=15.0, gt=0)

    # Events handled at once, and accepted but not yet handled before the webhook answers 503.
    max_concurrent: int = Field(default=16, ge=1)
    max_backlog: int = Field(default=5000, ge=1)
    max_conversations: int = Field(default=10_000, ge=1)

    flood_max_questions: int = Field(default=20, ge=1)
    flood_window_seconds: float = Field(default=60.0, gt=0)

    # Zalo publishes no rate limit, only HTTP 429 when the quota is used up: replies go out
    # as fast as they come (0) unless limited here; deliveries to subscribers are paced.
    reply_rate_per_second: float = Field(default=0.0, ge=0)
    broadcast_rate_per_second: float = Field(default=5.0, gt=0)
    backoff_seconds: float = Field(default=1.0, gt=0)
    max_backoff_seconds: float = Field(default=60.0, gt=0)

    # The school's legal column web page, offered to users whose messages Zalo withholds.
    legal_column_url: str | None = None

    @field_validator(
        "bot_token", "webhook_secret", "webhook_url", "legal_column_url", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("must be the token from Zalo Bot Manager (no spaces or slashes)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_RE.match(value.get_secret_value()):
            raise ValueError("must be 8-256 visible ASCII characters, no spaces")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        # Accept the form that ends in "/bot" too, as Telegram-style settings are written.
        value = value.removesuffix("/bot")
        if urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("must start with https:// (or http:// for a local test server)")
        return value

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
    return explain_settings(error, "ZALO_")
