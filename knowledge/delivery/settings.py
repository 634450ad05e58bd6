"""Settings of scheduled delivery, from environment variables or ``.env``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.delivery.sender import ChannelPacing
from knowledge.schedules import QuietHours


class DeliverySettings(BaseSettings):
    """Quiet hours, the delivery guarantee and the engine's limits; the README lists them."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Local (Asia/Ho_Chi_Minh) window in which nothing is sent; empty turns it off.
    quiet_hours: str = "21:00-06:30"
    # at-least-once resends a message that was in flight when the process died (it may
    # arrive twice); at-most-once does not (it may never arrive).
    delivery_guarantee: Literal["at-least-once", "at-most-once"] = "at-least-once"
    # Messages in flight at once per process: the most that can be duplicated by a crash.
    delivery_concurrency: int = Field(default=16, ge=1, le=256)
    delivery_max_attempts: int = Field(default=5, ge=1, le=50)
    delivery_backoff_seconds: float = Field(default=2.0, gt=0)
    delivery_backoff_max_seconds: float = Field(default=300.0, gt=0)
    delivery_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # Telegram's limits (the engine stays a little under 30/s so jitter does not cross it).
    delivery_telegram_per_second: float = Field(default=29.0, gt=0)
    delivery_telegram_chat_interval: float = Field(default=1.0, ge=0)
    delivery_telegram_group_per_minute: int = Field(default=20, ge=0)

    @field_validator("quiet_hours")
    @classmethod
    def _valid_quiet_hours(cls, value: str) -> str:
        QuietHours.parse(value)
        return value.strip()

    @property
    def quiet(self) -> QuietHours | None:
        """The parsed quiet hours, or None when they are off."""
        return QuietHours.parse(self.quiet_hours)

    @property
    def resend_uncertain(self) -> bool:
        """Whether messages that may or may not have arrived are sent again."""
        return self.delivery_guarantee == "at-least-once"

    def telegram_pacing(self) -> ChannelPacing:
        """Telegram's pacing from the settings."""
        return ChannelPacing(
            self.delivery_telegram_per_second,
            self.delivery_telegram_chat_interval,
            self.delivery_telegram_group_per_minute,
        )
