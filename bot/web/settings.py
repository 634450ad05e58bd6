"""Settings of the web column, read from ``WEB_*`` variables or ``.env``."""

from __future__ import annotations

import re

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.settings import explain as explain_settings

# A CSP host source for frame-ancestors: scheme, host (optionally ``*.`` first) and port.
_ORIGIN_RE = re.compile(r"^https?://(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$")


def parse_origins(value: str | list[str]) -> list[str]:
    """Origins from a space- or comma-separated string (or a list), lower-cased and checked.

    Raises:
        ValueError: naming the first value that is not an origin such as
            ``https://thpt-a.edu.vn``.
    """
    items = value if isinstance(value, list) else re.split(r"[\s,]+", value)
    origins: list[str] = []
    for item in items:
        origin = item.strip().rstrip("/").lower()
        if not origin:
            continue
        if not _ORIGIN_RE.match(origin):
            raise ValueError(
                f"{item!r} is not an origin such as https://thpt-a.edu.vn "
                "(scheme and host only, no path)"
            )
        if origin not in origins:
            origins.append(origin)
    return origins


class WebSettings(BaseSettings):
    """Everything the web column needs; the README lists each variable."""

    model_config = SettingsConfigDict(
        env_prefix="WEB_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # Public address (scheme and host) used in the embed snippets; defaults to the request's.
    public_url: str | None = None
    # Addresses of reverse proxies whose X-Forwarded-For is believed (uvicorn's setting).
    forwarded_allow_ips: str = "127.0.0.1"

    # Sites allowed to frame the pages (CSP frame-ancestors), for every school.
    frame_ancestors: str = ""

    # Per-address limit on the API and search: a burst, then this many per minute; 0 = off.
    rate_limit_per_minute: int = Field(default=30, ge=0)
    rate_limit_burst: int = Field(default=10, ge=1)
    max_body_bytes: int = Field(default=16_384, ge=1024, le=1_048_576)

    # The default school (pages at /); more schools from ``schools`` (pages at /<slug>/).
    school_name: str = Field(default="", max_length=200)
    school_logo: str | None = None
    primary_color: str = "#0b5394"
    accent_color: str = "#b45309"
    telegram_url: str | None = None
    zalo_url: str | None = None
    # JSON text or the path of a YAML/JSON file: slug -> name, logo, colours, links.
    schools: str | None = None

    @field_validator("frame_ancestors")
    @classmethod
    def _origins(cls, value: str) -> str:
        return " ".join(parse_origins(value))

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^\s/]+(/[^\s]*)?$", value):
            raise ValueError("must be an http(s) address such as https://phapluat.thpt-a.edu.vn")
        return value

    @field_validator("school_logo", "telegram_url", "zalo_url", "schools", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def frame_ancestor_list(self) -> list[str]:
        """The allow-list as a list."""
        return self.frame_ancestors.split()


def explain(error: ValidationError) -> list[str]:
    """One line per invalid setting, naming its variable."""
    return explain_settings(error, "WEB_")
