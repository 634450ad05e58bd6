"""Per-school branding: name, logo, colours and chat links, for the default school and for
schools served under their own paths (``/<slug>/...``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.web.settings import WebSettings, parse_origins

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_COLOR_RE = re.compile(r"^#([0-9a-f]{3}|[0-9a-f]{6})$")
_URL_RE = re.compile(r"^https?://[^\s\"'<>]+$")

LOGO_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
MAX_LOGO_BYTES = 1_000_000
MAX_SCHOOLS_FILE_BYTES = 1_000_000

# First path segments the site uses itself; a school cannot take them as its slug.
RESERVED = frozenset(
    {"api", "static", "widget.js", "hoi-dap", "chu-de", "van-ban", "meo-phap-luat", "tim-kiem"}
    | {"hoi", "nhung", "giao-dien.css", "logo", "ma-qr", "telegram", "zalo", "webhook"}
    | {"healthz", "favicon.ico"}
)

WHITE = "#ffffff"
INK = "#1a1a1a"
# The lightest grey the pages put text on (chat bubbles, tips); see --soft in site.css.
SOFT = "#f3f5f8"


class SchoolsError(ValueError):
    """The schools setting is unusable; the message names the school and field."""


class SchoolConfig(BaseModel):
    """One school as written in the schools setting."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)
    logo: str | None = None
    primary_color: str = "#0b5394"
    accent_color: str = "#b45309"
    telegram_url: str | None = None
    zalo_url: str | None = None
    frame_ancestors: list[str] = Field(default_factory=list)

    @field_validator("primary_color", "accent_color")
    @classmethod
    def _color(cls, value: str) -> str:
        value = value.strip().lower()
        if not _COLOR_RE.match(value):
            raise ValueError("must be a colour such as #0b5394")
        if len(value) == 4:
            value = "#" + "".join(ch * 2 for ch in value[1:])
        return value

    @field_validator("telegram_url", "zalo_url")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not _URL_RE.match(value.strip()):
            raise ValueError("must be an http(s) link such as https://t.me/ten_bot")
        return value.strip()

    @field_validator("logo")
    @classmethod
    def _logo(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if value.startswith(("http://", "https://")):
            if not _URL_RE.match(value):
                raise ValueError("must be an http(s) address or the path of an image file")
            return value
        path = Path(value)
        if path.suffix.lower() not in LOGO_TYPES:
            raise ValueError(f"must be a {', '.join(sorted(LOGO_TYPES))} file or an http(s) URL")
        if not path.is_file():
            raise ValueError(f"file {value} does not exist")
        if path.stat().st_size > MAX_LOGO_BYTES:
            raise ValueError("file is larger than 1 MB")
        return str(path.resolve())

    @field_validator("frame_ancestors", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str | list):
            return parse_origins(value)
        return value


@dataclass(frozen=True)
class School:
    """A school as the pages use it."""

    slug: str
    config: SchoolConfig
    frame_ancestors: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        """The school's name; empty for an unnamed default school."""
        return self.config.name.strip()

    @property
    def prefix(self) -> str:
        """Path prefix of the school's pages: empty for the default school."""
        return f"/{self.slug}" if self.slug else ""

    @property
    def logo_file(self) -> Path | None:
        """A logo served from disk, if the logo is a file."""
        logo = self.config.logo
        return Path(logo) if logo and not logo.startswith(("http://", "https://")) else None

    @property
    def logo_src(self) -> str | None:
        """What an ``<img src>`` points at."""
        if self.config.logo is None:
            return None
        return f"{self.prefix}/logo" if self.logo_file else self.config.logo

    @property
    def image_origins(self) -> list[str]:
        """Origins the Content-Security-Policy must allow images from (an external logo)."""
        logo = self.config.logo
        if logo and logo.startswith(("http://", "https://")):
            return [re.sub(r"^(https?://[^/]+).*$", r"\1", logo)]
        return []

    def theme_css(self) -> str:
        """The school's colours as CSS custom properties, with readable text on them."""
        primary, accent = self.config.primary_color, self.config.accent_color
        return (
            ":root{"
            f"--primary:{primary};--on-primary:{readable_on(primary)};"
            f"--link:{darken_for_text(primary)};"
            f"--accent:{accent};--on-accent:{readable_on(accent)};"
            "}\n"
        )


def _luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable_on(background: str) -> str:
    """White or near-black, whichever reads better on ``background``."""
    return WHITE if contrast(background, WHITE) >= contrast(background, INK) else INK


def darken_for_text(color: str, minimum: float = 4.5) -> str:
    """``color``, darkened until text in it meets WCAG AA (``minimum`` : 1) on white and on
    the light grey of chat bubbles and tips."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    candidate = color
    while contrast(candidate, SOFT) < minimum:
        red, green, blue = (int(c * 0.9) for c in (red, green, blue))
        candidate = f"#{red:02x}{green:02x}{blue:02x}"
    return candidate


def _is_json(value: str) -> bool:
    """Whether the schools setting is JSON text rather than a file path."""
    return value.strip().startswith(("{", "["))


def _read_schools(value: str) -> Any:
    """The raw schools mapping: JSON text, or a YAML/JSON file."""
    text = value.strip()
    if _is_json(text):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchoolsError(f"WEB_SCHOOLS is not valid JSON: {exc}") from exc
    path = Path(text)
    try:
        if path.stat().st_size > MAX_SCHOOLS_FILE_BYTES:
            raise SchoolsError(f"{path}: the schools file is larger than 1 MB")
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchoolsError(f"{path}: cannot read the schools file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise SchoolsError(f"{path}: the schools file is not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        raise SchoolsError(f"{path}: invalid YAML: {exc}") from exc


def _school(slug: str, raw: Any, settings: WebSettings, where: str) -> School:
    try:
        config = SchoolConfig.model_validate(raw)
    except ValidationError as exc:
        problem = exc.errors()[0]
        name = ".".join(str(part) for part in problem["loc"]) or "-"
        raise SchoolsError(
            f"{where}: school {slug or '(default)'}: {name}: {problem['msg']}"
        ) from exc
    if slug and not config.name.strip():
        raise SchoolsError(f"{where}: school {slug}: name: must not be empty")
    origins = settings.frame_ancestor_list + [
        o for o in config.frame_ancestors if o not in settings.frame_ancestor_list
    ]
    return School(slug, config, tuple(origins))


def load_schools(settings: WebSettings) -> dict[str, School]:
    """The default school (key ``""``) and every school of the schools setting, by slug.

    Raises:
        SchoolsError: naming the file or variable, the school and the field at fault.
    """
    default = {
        "name": settings.school_name,
        "logo": settings.school_logo,
        "primary_color": settings.primary_color,
        "accent_color": settings.accent_color,
        "telegram_url": settings.telegram_url,
        "zalo_url": settings.zalo_url,
    }
    schools = {"": _school("", default, settings, "WEB_* settings")}
    if settings.schools is None:
        return schools

    raw = _read_schools(settings.schools)
    where = "WEB_SCHOOLS" if _is_json(settings.schools) else settings.schools
    if isinstance(raw, dict) and set(raw) == {"schools"}:
        raw = raw["schools"]
    if not isinstance(raw, dict):
        raise SchoolsError(f"{where}: expected a mapping of slug to school settings")
    for slug, item in raw.items():
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            raise SchoolsError(
                f"{where}: school slug {slug!r} must be 2-40 characters: a-z, 0-9 and -"
            )
        if slug in RESERVED:
            raise SchoolsError(f"{where}: school slug {slug!r} is a path the site uses itself")
        schools[slug] = _school(slug, item, settings, where)
    return schools
