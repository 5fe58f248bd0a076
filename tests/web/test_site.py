"""Settings from the environment, error pages, the demo registry and the site CLI."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path

import minipublic.web.settings as site_settings
from minipublic.web.demo import CAST, DEMO_SLUG, MEMBERS, demo_loaders

REPO = Path(__file__).resolve().parents[2]


def _settings_in_subprocess(env: dict, expr: str) -> str:
    """Evaluate *expr* on the settings module imported fresh under *env*."""
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    full_env.update(env)
    code = f"import minipublic.web.settings as s; print({expr})"
    out = subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


class TestSettings:
    def test_secret_key_generated_once_into_data_dir(self, tmp_path):
        env = {"MINIPUBLIC_DATA_DIR": str(tmp_path)}
        first = _settings_in_subprocess(env, "s.SECRET_KEY")
        second = _settings_in_subprocess(env, "s.SECRET_KEY")
        assert len(first) >= 50 and first == second
        assert (tmp_path / "secret_key").read_text().strip() == first
        assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"

    def test_defaults_are_safe(self, tmp_path):
        env = {"MINIPUBLIC_DATA_DIR": str(tmp_path)}
        out = _settings_in_subprocess(
            env,
            "s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'],"
            " s.MAILERS['default']['BACKEND'], s.TASKS['default']['BACKEND'], s.ALLOWED_HOSTS",
        )
        assert out == (
            f"False django.db.backends.sqlite3 {tmp_path / 'minipublic.sqlite3'}"
            " django.core.mail.backends.console.EmailBackend"
            " django_tasks_db.DatabaseBackend ['127.0.0.1', 'localhost']"
        )

    def test_environment_overrides(self, tmp_path):
        env = {
            "MINIPUBLIC_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://ann@db.example:5433/assembly",
            "SECRET_KEY": "from-the-environment",
            "MINIPUBLIC_DEBUG": "1",
            "ALLOWED_HOSTS": "assembly.example.org, www.example.org",
            "EMAIL_HOST": "smtp.example.org",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        }
        out = _settings_in_subprocess(
            env,
            "s.SECRET_KEY, s.DEBUG, s.DATABASES['default']['ENGINE'],"
            " s.DATABASES['default']['HOST'], s.DATABASES['default']['PORT'],"
            " s.ALLOWED_HOSTS, s.MAILERS['default']['OPTIONS']['host'],"
            " s.TASKS['default']['BACKEND'], 'django_rq' in s.INSTALLED_APPS",
        )
        assert out == (
            "from-the-environment True django.db.backends.postgresql db.example 5433"
            " ['assembly.example.org', 'www.example.org'] smtp.example.org"
            " django_tasks_rq.RQBackend True"
        )
        assert not (tmp_path / "secret_key").exists()

    def test_debug_is_off_in_this_process(self):
        assert site_settings.DEBUG is False or os.environ.get("MINIPUBLIC_DEBUG") == "1"


def _boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
class TestErrorPages:
    @override_settings(ROOT_URLCONF=__name__, DEBUG=False)
    def test_500_shows_no_stack_trace(self):
        from minipublic.web import urls as site_urls

        global handler500
        handler500 = site_urls.handler500
        client = Client(raise_request_exception=False)
        response = client.get("/boom/")
        assert response.status_code == 500
        text = response.content.decode()
        assert "Sorry, something went wrong" in text
        assert "secret internal detail" not in text and "Traceback" not in text

    def test_404_and_403_are_friendly(self, client_as):
        response = client_as("anonymous").get("/no-such-page/")
        assert response.status_code == 404 and "Page not found" in response.content.decode()
        response = client_as("facilitator").get(f"/a/{DEMO_SLUG}/audit/")
        assert response.status_code == 403
        assert "You do not have access to this page" in response.content.decode()


class TestDemoRegistry:
    def test_loaders_run_in_settings_order(self, settings):
        apps = [app for app, _load in demo_loaders()]
        assert apps[:2] == ["minipublic.web.assemblies", "minipublic.web.people"]
        assert apps == [a for a in settings.MINIPUBLIC_APPS if a in apps]

    @pytest.mark.django_db
    def test_demo_cast_is_in_place(self, demo_assembly, user, member):
        assert demo_assembly.question.startswith("How should we reach net zero by 2040")
        assert set(demo_assembly.staff_roles.values_list("user__email", "role")) >= {
            (CAST[r].email, r) for r in ("organiser", "facilitator", "commissioner", "evaluator")
        }
        assert member(MEMBERS[0][0]).personal_details.email == "megan@example.org"
        assert not demo_assembly.staff_roles.filter(user=user("other_organiser")).exists()


@pytest.mark.slow
class TestCli:
    def _run(self, *args, data_dir, extra_env=None, check=True):
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env["MINIPUBLIC_DEV"] = "1"  # a developer's machine: console mail allowed
        env.update(extra_env or {})
        cli = [sys.executable, "-c", "from minipublic.cli import main; main()"]
        return subprocess.run(
            [*cli, *args, "--data-dir", str(data_dir)] if args[0] != "manage" else [*cli, *args],
            env={**env, "MINIPUBLIC_DATA_DIR": str(data_dir)},
            capture_output=True,
            text=True,
            check=check,
            cwd=REPO,
            timeout=300,
        )

    def test_demo_createstaff_manage(self, tmp_path):
        """`demo --no-serve` loads and prints the logins; again gives a fresh link; errors are one red line."""
        out = self._run("demo", "--no-serve", "--port", "8123", data_dir=tmp_path).stdout
        assert "olivia@example.org / password aberwen-demo-2040" in out
        assert "http://127.0.0.1:8123/signin/" in out
        assert (tmp_path / "minipublic.sqlite3").exists() and (tmp_path / "secret_key").exists()
        again = self._run("demo", "--no-serve", "--port", "8123", data_dir=tmp_path).stdout
        link1 = next(w for w in out.split() if "/signin/" in w)
        link2 = next(w for w in again.split() if "/signin/" in w)
        assert link1 != link2
        bad = self._run(
            "createstaff",
            "olivia@example.org",
            data_dir=tmp_path,
            extra_env={"MINIPUBLIC_STAFF_PASSWORD": "another-long-password-1"},
            check=False,
        )
        assert bad.returncode == 2
        assert "already exists" in bad.stderr and "Traceback" not in bad.stderr
        ok = self._run(
            "createstaff",
            "ann@council.example",
            "--name",
            "Ann Lee",
            data_dir=tmp_path,
            extra_env={"MINIPUBLIC_STAFF_PASSWORD": "another-long-password-1"},
        )
        assert "Created staff account ann@council.example" in ok.stdout
        shown = self._run("manage", "showmigrations", "assemblies", data_dir=tmp_path).stdout
        assert "[X] 0001_initial" in shown
