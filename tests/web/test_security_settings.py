"""Production settings and throttles (issue #14 items 11 and 18)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from minipublic.web.demo import CAST, DEMO_PASSWORD

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _check(tmp_path, *args, **env):
    """Run `django-admin check` in a fresh process with *env* (no MINIPUBLIC_DEV)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MINIPUBLIC_", "EMAIL_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC"))
    }
    base.update(
        PYTHONPATH=SRC,
        DJANGO_SETTINGS_MODULE="minipublic.web.settings",
        MINIPUBLIC_DATA_DIR=str(tmp_path),
        SECRET_KEY="k7Hq-2vLx9_ZpR4mWs8TnB3cYe6JdFa1GuKoXi5NrVt0QwEbMlPjSzC",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "django", "check", *args],
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_console_mail_and_a_missing_base_url(tmp_path):
    result = _check(tmp_path)
    assert result.returncode != 0
    assert "minipublic.E001" in result.stderr and "minipublic.E002" in result.stderr
    assert "sign-in links" in result.stderr
    # The demo's explicit flag, or a configured site, starts.
    assert _check(tmp_path, MINIPUBLIC_DEV="1").returncode == 0
    ok = _check(
        tmp_path, MINIPUBLIC_EMAIL="file", MINIPUBLIC_BASE_URL="https://assemblies.example.org"
    )
    assert ok.returncode == 0, ok.stderr


def test_check_deploy_is_clean_with_https(tmp_path):
    result = _check(
        tmp_path,
        "--deploy",
        "--fail-level",
        "WARNING",
        MINIPUBLIC_HTTPS="1",
        EMAIL_HOST="smtp.example.org",
        MINIPUBLIC_BASE_URL="https://assemblies.example.org",
        ALLOWED_HOSTS="assemblies.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "W004" not in result.stderr and "W008" not in result.stderr
    # docs/deploy.md quotes this line as what the check prints.
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stdout.strip() in DEPLOY_DOC


DEPLOY_DOC = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text()


def _ids(output: str) -> set[str]:
    import re

    return set(re.findall(r"\((\w+\.[EW]\d+)\)", output))


def test_check_deploy_without_https_warns_what_the_doc_says(tmp_path):
    """Without MINIPUBLIC_HTTPS exactly the four HTTPS warnings, each explained in docs/deploy.md."""
    result = _check(
        tmp_path,
        "--deploy",
        EMAIL_HOST="smtp.example.org",
        MINIPUBLIC_BASE_URL="https://assemblies.example.org",
        ALLOWED_HOSTS="assemblies.example.org",
    )
    assert result.returncode == 0, result.stderr
    found = _ids(result.stderr + result.stdout)
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}
    for check_id in found:
        assert f"`{check_id}`" in DEPLOY_DOC, check_id


def test_check_deploy_without_mail_fails_as_the_doc_says(tmp_path):
    result = _check(
        tmp_path,
        "--deploy",
        MINIPUBLIC_HTTPS="1",
        MINIPUBLIC_BASE_URL="https://assemblies.example.org",
        ALLOWED_HOSTS="assemblies.example.org",
    )
    assert result.returncode == 1
    found = _ids(result.stderr + result.stdout)
    assert found == {"mail.E001", "minipublic.E001"}
    for check_id in found:
        assert f"`{check_id}`" in DEPLOY_DOC, check_id


@pytest.mark.django_db
def test_password_reset_is_throttled_per_account_and_per_ip(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    email = CAST["organiser"].email
    for i in range(5):
        Client(REMOTE_ADDR=f"10.0.0.{i}").post("/accounts/password-reset/", {"email": email})
    assert len(mail.outbox) == settings.MINIPUBLIC_RESET_LIMIT_PER_ACCOUNT == 3
    # Per address: many accounts from one machine.
    mail.outbox.clear()
    others = [CAST[r].email for r in ("facilitator", "commissioner", "evaluator")]
    client = Client(REMOTE_ADDR="10.9.9.9")
    settings.MINIPUBLIC_RESET_LIMIT_PER_IP = 2
    for e in others:
        response = client.post("/accounts/password-reset/", {"email": e})
        assert response.status_code == 302  # the same answer, throttled or not
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_login_lockout_per_account_from_many_addresses():
    email = CAST["organiser"].email
    for i in range(5):
        Client(REMOTE_ADDR=f"10.1.0.{i}").post(
            "/accounts/login/", {"username": email, "password": "wrong"}
        )
    # Right password, new address: still locked out (per account).
    response = Client(REMOTE_ADDR="10.1.1.1").post(
        "/accounts/login/", {"username": email, "password": DEMO_PASSWORD}
    )
    assert "_auth_user_id" not in response.client.session
    assert response.status_code in (403, 429)


@pytest.mark.django_db
def test_login_lockout_per_address_across_accounts():
    client = Client(REMOTE_ADDR="10.2.0.1")
    for i in range(5):
        client.post("/accounts/login/", {"username": f"nobody{i}@example.org", "password": "x"})
    response = client.post(
        "/accounts/login/", {"username": CAST["facilitator"].email, "password": DEMO_PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (403, 429)


def test_serve_refuses_to_start_unconfigured_with_one_clear_message(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MINIPUBLIC_", "EMAIL_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(PYTHONPATH=SRC, MINIPUBLIC_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", "from minipublic.cli import main; main()", "serve", "--no-worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "MINIPUBLIC_BASE_URL" in result.stderr and "EMAIL_HOST" in result.stderr
    assert "Traceback" not in result.stderr
