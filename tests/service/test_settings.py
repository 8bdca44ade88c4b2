"""The service's settings: the environment over a .env file; production refuses sample
secrets and cookies without Secure."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import UsageError
from accord.service.settings import get_service_settings

STRONG = "k" * 40


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ACCORD_ENV", "ACCORD_SECRET_KEY", "ACCORD_SECURE_COOKIES",
                 "ACCORD_DATABASE_URL", "ACCORD_SESSION_HOURS", "ACCORD_WARN_THRESHOLDS",
                 "ACCORD_MAX_BODY_BYTES", "ACCORD_MAX_INGEST_BYTES"):
        monkeypatch.delenv(name, raising=False)


def test_a_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("ACCORD_SESSION_HOURS=2\nACCORD_WARN_THRESHOLDS=50%,80%\n"
                      f"ACCORD_DATABASE_URL=sqlite:///{tmp_path / 'x.db'}\n")
    settings = get_service_settings(dotenv=dotenv)
    assert settings.session_lifetime.total_seconds() == 7200
    assert settings.thresholds == (0.5, 0.8)
    assert settings.store.database_url.database == str(tmp_path / "x.db")
    monkeypatch.setenv("ACCORD_SESSION_HOURS", "3")
    assert get_service_settings(dotenv=dotenv).session_lifetime.total_seconds() == 10800


@pytest.mark.parametrize("key", [None, "change-me", "short"])
def test_production_refuses_a_missing_or_sample_secret(key: str | None, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_ENV", "production")
    if key is not None:
        monkeypatch.setenv("ACCORD_SECRET_KEY", key)
    with pytest.raises(UsageError, match="ACCORD_SECRET_KEY is missing, short or a sample"):
        get_service_settings(dotenv=tmp_path / ".env")


def test_production_starts_with_a_secret_of_its_own(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(f"ACCORD_ENV=production\nACCORD_SECRET_KEY={STRONG}\n")
    settings = get_service_settings(dotenv=tmp_path / ".env")
    assert settings.production
    assert settings.secret_key == STRONG
    monkeypatch.setenv("ACCORD_SECURE_COOKIES", "false")
    with pytest.raises(UsageError, match="ACCORD_SECURE_COOKIES is false in production"):
        get_service_settings(dotenv=tmp_path / ".env")


def test_development_makes_a_random_secret_per_process(tmp_path: Path) -> None:
    first = get_service_settings(dotenv=tmp_path / ".env")
    second = get_service_settings(dotenv=tmp_path / ".env")
    assert not first.production
    assert len(first.secret_key) >= 32
    assert first.secret_key != second.secret_key


def test_request_body_limits_have_defaults_and_can_be_set(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    default = get_service_settings(f"sqlite:///{tmp_path / 'x.db'}", dotenv=tmp_path / ".env")
    assert (default.max_body_bytes, default.max_ingest_bytes) == (1 << 20, 256 << 20)
    monkeypatch.setenv("ACCORD_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("ACCORD_MAX_INGEST_BYTES", "4096")
    chosen = get_service_settings(f"sqlite:///{tmp_path / 'x.db'}", dotenv=tmp_path / ".env")
    assert (chosen.max_body_bytes, chosen.max_ingest_bytes) == (2048, 4096)


@pytest.mark.parametrize("value", ["0", "-5", "1MB", "1e6"])
def test_a_bad_body_limit_is_refused(value: str, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_MAX_BODY_BYTES", value)
    with pytest.raises(UsageError, match="ACCORD_MAX_BODY_BYTES"):
        get_service_settings(f"sqlite:///{tmp_path / 'x.db'}", dotenv=tmp_path / ".env")
