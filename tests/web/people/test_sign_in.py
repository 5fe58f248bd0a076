"""Member sign-in links (signed, single-use, expiring) and staff sign-in (email + password, throttled)."""

import datetime as dt

import pytest
from django.core import mail, signing
from django.utils import timezone

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.demo import DEMO_PASSWORD
from minipublic.web.people import actions
from minipublic.web.people.middleware import SESSION_KEY
from minipublic.web.people.models import SignInToken

pytestmark = pytest.mark.django_db


def _path(link: str) -> str:
    return link.split("8000", 1)[1]


@pytest.fixture
def megan_link(member):
    return _path(actions.do_issue_sign_in_link(member("Megan"), acting_user=None, send_email=False))


class TestMemberLink:
    def test_open_confirm_and_land_on_home(self, client, megan_link, member):
        """GET shows a confirmation (a mail scanner does not use the link up); POST signs in."""
        page = client.get(megan_link)
        assert page.status_code == 200
        assert "Welcome, Megan" in page.content.decode()
        assert (
            SignInToken.objects.filter(used_at__isnull=False, participant=member("Megan")).count()
            == 0
        )
        response = client.post(megan_link)
        assert response.status_code == 302
        assert response["Location"] == "/a/aberwen-climate/me/"
        assert client.session[SESSION_KEY] == member("Megan").pk
        home = client.get("/a/aberwen-climate/me/").content.decode()
        assert "Hello, Megan" in home
        assert "Your next session" in home and "Weekend 1" in home
        assert "Where the assembly is now" in home
        assert "Vote on the draft recommendations" not in home
        assert AuditEvent.objects.filter(event_type="participant.signed_in").count() == 1

    def test_reused_link_is_refused_with_a_clear_page(self, client, megan_link):
        client.post(megan_link)
        other = type(client)()
        for method in ("get", "post"):
            response = getattr(other, method)(megan_link)
            assert response.status_code == 410
            assert "already been used" in response.content.decode()
        assert SESSION_KEY not in other.session

    def test_expired_link_is_refused(self, client, member):
        past = timezone.now() - dt.timedelta(days=8)
        link = _path(
            actions.do_issue_sign_in_link(
                member("Megan"), acting_user=None, send_email=False, now=past
            )
        )
        for method in ("get", "post"):
            response = getattr(client, method)(link)
            assert response.status_code == 410
            assert "expired" in response.content.decode()
        assert SESSION_KEY not in client.session

    @pytest.mark.parametrize("how", ["flip", "truncate", "forged"])
    def test_tampered_link_is_refused(self, client, megan_link, member, how):
        value = megan_link.rstrip("/").rsplit("/", 1)[1]
        if how == "flip":
            bad = value[:-3] + ("A" if value[-3] != "A" else "B") + value[-2:]
        elif how == "truncate":
            bad = value[: len(value) // 2]
        else:
            # Signed with another key: right shape, wrong signature.
            token = SignInToken.objects.filter(participant=member("Megan")).first()
            bad = signing.dumps(str(token.id), key="not-the-secret-key", salt=actions.SIGN_IN_SALT)
        for method in ("get", "post"):
            response = getattr(client, method)(f"/signin/{bad}/")
            assert response.status_code == 400
            assert "has been changed" in response.content.decode()
        assert SESSION_KEY not in client.session

    def test_link_of_removed_member_is_refused(self, client, megan_link, member):
        from minipublic.web.people.models import Participant

        Participant.objects.filter(pk=member("Megan").pk).update(is_active=False)
        assert client.post(megan_link).status_code == 400

    def test_issue_link_emails_member_in_their_language(
        self, member, django_capture_on_commit_callbacks
    ):
        """Dafydd prefers Welsh: his email is in Welsh and carries a working link."""
        with django_capture_on_commit_callbacks(execute=True):
            link = actions.do_issue_sign_in_link(member("Dafydd"), acting_user=None)
        (message,) = mail.outbox
        assert message.to == ["dafydd@example.org"]
        assert link in message.body
        assert "Dyma" in message.body  # Welsh body text

    def test_member_gets_their_preferred_language(self, client, member):
        """Dafydd prefers Welsh: after his link, the site speaks Welsh to him."""
        link = _path(actions.do_issue_sign_in_link(member("Dafydd"), acting_user=None))
        response = client.post(link)
        assert response.cookies["django_language"].value == "cy"
        assert "Eich sesiwn nesaf" in client.get(response["Location"]).content.decode()

    def test_signing_in_replaces_a_staff_session(self, client_as, megan_link):
        client = client_as("organiser")
        client.post(megan_link)
        assert "_auth_user_id" not in client.session
        assert client.get("/a/aberwen-climate/dashboard/").status_code == 403

    def test_sign_out(self, client, megan_link):
        client.post(megan_link)
        client.post("/signout/")
        assert client.get("/a/aberwen-climate/me/").status_code == 302


class TestStaffLogin:
    def test_email_and_password(self, client):
        response = client.post(
            "/accounts/login/", {"username": "Olivia@Example.org", "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"] == "/staff/"
        assert "Aberwen Climate Assembly" in client.get("/staff/").content.decode()

    def test_wrong_password_shows_error(self, client):
        response = client.post(
            "/accounts/login/", {"username": "olivia@example.org", "password": "wrong"}
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()

    def test_lockout_after_five_failures(self, client):
        """django-axes locks the email+address pair out; even the right password then fails."""
        for _ in range(5):
            client.post("/accounts/login/", {"username": "olivia@example.org", "password": "x"})
        response = client.post(
            "/accounts/login/", {"username": "olivia@example.org", "password": DEMO_PASSWORD}
        )
        assert response.status_code == 429
        assert "Too many attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_member_has_no_password_account(self, member):
        from django.contrib.auth import get_user_model

        assert not get_user_model().objects.filter(email="megan@example.org").exists()


class TestMembers:
    def test_add_member_keeps_details_apart(self, demo_assembly, client_as):
        client = client_as("organiser")
        response = client.post(
            f"/a/{demo_assembly.slug}/members/add/",
            {
                "first_name": "Rhys",
                "last_name": "Evans",
                "email": "rhys@example.org",
                "preferred_language": "cy",
            },
        )
        assert response.status_code == 302
        participant = demo_assembly.participants.get(personal_details__email="rhys@example.org")
        assert participant.pseudonym.startswith("P-")
        assert participant.personal_details.email == "rhys@example.org"
        event = AuditEvent.objects.get(
            event_type="participant.added", object_id=str(participant.pk)
        )
        assert event.new == {"pseudonym": participant.pseudonym}

    def test_add_member_error_per_field(self, demo_assembly, client_as):
        count = demo_assembly.participants.count()
        response = client_as("organiser").post(
            f"/a/{demo_assembly.slug}/members/add/",
            {"first_name": "", "email": "nope", "preferred_language": "en"},
        )
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert "first_name" in errors and "email" in errors
        assert demo_assembly.participants.count() == count
