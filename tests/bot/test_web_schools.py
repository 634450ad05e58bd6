"""Web settings and per-school branding: what operators can get wrong, and colours that stay
readable whatever a school picks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.web.schools import SchoolsError, contrast, darken_for_text, load_schools, readable_on
from bot.web.security import content_security_policy
from bot.web.settings import WebSettings, explain
from tests.bot.web_support import web_settings


def test_defaults_listen_on_loopback_8080() -> None:
    settings = WebSettings(_env_file=None)
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.rate_limit_per_minute == 30
    assert settings.frame_ancestor_list == []


def test_settings_come_from_web_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_PORT", "9000")
    monkeypatch.setenv(
        "WEB_FRAME_ANCESTORS", "https://a.edu.vn, https://*.b.edu.vn  HTTPS://A.EDU.VN/"
    )
    settings = WebSettings(_env_file=None)
    assert settings.port == 9000
    assert settings.frame_ancestor_list == ["https://a.edu.vn", "https://*.b.edu.vn"]


@pytest.mark.parametrize(
    "value",
    ["a.edu.vn", "https://a.edu.vn/path", "javascript:alert(1)", "https://a b", "'none'", "*"],
)
def test_frame_ancestors_must_be_origins(value: str) -> None:
    with pytest.raises(ValidationError) as error:
        WebSettings(_env_file=None, frame_ancestors=value)
    assert explain(error.value)[0].startswith("WEB_FRAME_ANCESTORS: ")


@pytest.mark.parametrize(
    ("name", "value"), [("port", 0), ("public_url", "ftp://x"), ("port", "x")]
)
def test_bad_settings_name_their_variable(name: str, value: object) -> None:
    with pytest.raises(ValidationError) as error:
        web_settings(**{name: value})
    assert explain(error.value)[0].startswith(f"WEB_{name.upper()}: ")


def test_schools_from_json(tmp_path: Path) -> None:
    raw = {"thpt-a": {"name": "Trường THPT A", "primary_color": "#ABC"}}
    schools = load_schools(web_settings(schools=json.dumps(raw), school_name="Sở GD&ĐT"))
    assert set(schools) == {"", "thpt-a"}
    assert schools[""].name == "Sở GD&ĐT" and schools[""].prefix == ""
    assert schools["thpt-a"].prefix == "/thpt-a"
    assert schools["thpt-a"].config.primary_color == "#aabbcc"


def test_schools_from_a_yaml_file(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    path = tmp_path / "schools.yaml"
    path.write_text(
        "schools:\n"
        "  thcs-b:\n"
        "    name: Trường THCS B\n"
        f"    logo: {logo}\n"
        "    frame_ancestors: https://thcsb.edu.vn\n"
        "  thcs-c:\n"
        "    name: Trường THCS C\n"
        "    logo: https://cdn.thcsc.edu.vn/logo.png\n",
        encoding="utf-8",
    )
    schools = load_schools(web_settings(schools=str(path), frame_ancestors="https://so.edu.vn"))
    b, c = schools["thcs-b"], schools["thcs-c"]
    assert b.logo_src == "/thcs-b/logo" and b.logo_file == logo.resolve()
    assert b.frame_ancestors == ("https://so.edu.vn", "https://thcsb.edu.vn")
    assert c.logo_src == "https://cdn.thcsc.edu.vn/logo.png"
    assert "img-src 'self' data: https://cdn.thcsc.edu.vn;" in content_security_policy(c)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "WEB_SCHOOLS is not valid JSON"),
        ('["thpt-a"]', "expected a mapping of slug to school settings"),
        ('{"API": {"name": "x"}}', "school slug 'API' must be"),
        ('{"api": {"name": "x"}}', "is a path the site uses itself"),
        ('{"van-ban": {"name": "x"}}', "is a path the site uses itself"),
        ('{"thpt-a": {"name": ""}}', "school thpt-a: name: must not be empty"),
        ('{"thpt-a": {"name": "A", "primary_color": "red"}}', "thpt-a: primary_color:"),
        ('{"thpt-a": {"name": "A", "logo": "/no/such/logo.png"}}', "does not exist"),
        ('{"thpt-a": {"name": "A", "logo": "/etc/passwd"}}', "thpt-a: logo:"),
        ('{"thpt-a": {"name": "A", "telegram_url": "javascript:alert(1)"}}', "telegram_url"),
        ('{"thpt-a": {"name": "A", "colour": "#fff"}}', "thpt-a: colour:"),
        ('{"thpt-a": {"name": "A", "frame_ancestors": ["evil"]}}', "frame_ancestors"),
    ],
)
def test_bad_schools_are_explained(raw: str, message: str) -> None:
    with pytest.raises(SchoolsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_schools(web_settings(schools=raw))


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"schools: [", "invalid YAML"), (b"\xff\xfe\x00", "not UTF-8"), (None, "cannot read")],
)
def test_bad_schools_files_name_the_file(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "schools.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SchoolsError, match=message) as error:
        load_schools(web_settings(schools=str(path)))
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    "color", ["#ffffff", "#ffeb3b", "#0b5394", "#7a1f2b", "#00ff00", "#000000"]
)
def test_text_on_any_school_colour_stays_readable(color: str) -> None:
    assert contrast(color, readable_on(color)) >= 4.5
    assert contrast(darken_for_text(color), "#ffffff") >= 4.5
    assert contrast(darken_for_text(color), "#f3f5f8") >= 4.5


def test_a_dark_colour_is_kept_for_links() -> None:
    assert darken_for_text("#0b5394") == "#0b5394"
