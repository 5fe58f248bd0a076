"""Actions of the assemblies app: result, audit line, notification, and nothing changed on refusal."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from minipublic.web.assemblies import actions
from minipublic.web.assemblies.models import Assembly, AuditEvent, Phase, Role, StaffRole

pytestmark = pytest.mark.django_db


def _events(assembly, event_type):
    return list(AuditEvent.objects.filter(assembly=assembly, event_type=event_type))


class TestPhases:
    def test_phase_order_is_the_lifecycle(self):
        """The eight phases come in DESIGN.md's order and each knows the next."""
        assert [p.value for p in Phase] == [
            "invite",
            "register",
            "select",
            "learn",
            "deliberate",
            "decide",
            "respond",
            "evaluate",
        ]
        assert Phase.INVITE.next is Phase.REGISTER
        assert Phase.EVALUATE.next is None

    def test_move_forward_writes_audit_and_emails_staff(
        self, demo_assembly, user, django_capture_on_commit_callbacks
    ):
        """Moving to the next phase changes it, records old/new and emails every staff member."""
        olivia = user("organiser")
        with django_capture_on_commit_callbacks(execute=True):
            actions.check_change_phase(demo_assembly, to_phase="deliberate", acting_user=olivia)
        demo_assembly.refresh_from_db()
        assert demo_assembly.phase == "deliberate"
        event = AuditEvent.objects.filter(assembly=demo_assembly).order_by("-created_at").first()
        assert event.event_type == "assembly.phase_changed"
        assert event.actor == olivia and event.actor_label == "olivia@example.org"
        assert event.old == {"phase": "learn"} and event.new == {"phase": "deliberate"}
        assert len(mail.outbox) == 1
        assert set(mail.outbox[0].to) == {
            "olivia@example.org",
            "fergus@example.org",
            "carys@example.org",
            "evan@example.org",
        }
        assert "Deliberate" in mail.outbox[0].subject

    @pytest.mark.parametrize("target", ["learn", "decide", "invite", "evaluate", "nonsense"])
    def test_only_the_next_phase_is_allowed(self, demo_assembly, user, target):
        """Staying, skipping ahead or going back through 'change' is refused and changes nothing."""
        before = AuditEvent.objects.count()
        with pytest.raises(ValidationError):
            actions.check_change_phase(
                demo_assembly, to_phase=target, acting_user=user("organiser")
            )
        demo_assembly.refresh_from_db()
        assert demo_assembly.phase == "learn"
        assert AuditEvent.objects.count() == before

    def test_last_phase_cannot_move(self, demo_assembly, user):
        actions.do_change_phase(demo_assembly, Phase.EVALUATE, acting_user=None)
        with pytest.raises(ValidationError, match="last phase"):
            actions.check_change_phase(demo_assembly, to_phase="evaluate", acting_user=None)

    def test_reopen_needs_an_earlier_phase_and_a_reason(self, demo_assembly, user):
        olivia = user("organiser")
        with pytest.raises(ValidationError) as info:
            actions.check_reopen_phase(
                demo_assembly, to_phase="deliberate", reason="", acting_user=olivia
            )
        assert set(info.value.message_dict) == {"to_phase", "reason"}
        demo_assembly.refresh_from_db()
        assert demo_assembly.phase == "learn"

    def test_reopen_is_audited_with_the_reason(self, demo_assembly, user):
        actions.check_reopen_phase(
            demo_assembly,
            to_phase="register",
            reason="Late registrations from the door-knocking round",
            acting_user=user("organiser"),
        )
        demo_assembly.refresh_from_db()
        assert demo_assembly.phase == "register"
        (event,) = _events(demo_assembly, "assembly.phase_reopened")
        assert event.old == {"phase": "learn"}
        assert event.new == {
            "phase": "register",
            "reason": "Late registrations from the door-knocking round",
        }

    def test_phase_dates_end_before_start_refused(self, demo_assembly, user):
        with pytest.raises(ValidationError) as info:
            actions.check_set_phase_dates(
                demo_assembly,
                phase="decide",
                starts_on=dt.date(2027, 3, 10),
                ends_on=dt.date(2027, 3, 1),
                acting_user=user("organiser"),
            )
        assert "ends_on" in info.value.message_dict

    def test_phase_dates_change_is_audited_once(self, demo_assembly, user):
        olivia = user("organiser")
        kwargs = dict(phase="decide", starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 3, 10))
        actions.check_set_phase_dates(demo_assembly, acting_user=olivia, **kwargs)
        actions.check_set_phase_dates(demo_assembly, acting_user=olivia, **kwargs)  # no change
        events = [
            e for e in _events(demo_assembly, "phase_dates.changed") if e.new["phase"] == "decide"
        ]
        # one from the demo loader, one from this test; the repeat wrote nothing
        assert len(events) == 2
        assert events[0].new["starts_on"] == "2027-03-01"


class TestCreateAndEdit:
    def test_create_makes_the_creator_organiser(self, user):
        oscar = user("other_organiser")
        assembly = actions.check_create_assembly(
            title="Coastal Flooding Jury",
            question="How should the town prepare for flooding?",
            commissioner="Harbour Council",
            languages=["en", "cy"],
            acting_user=oscar,
        )
        assert assembly.slug == "coastal-flooding-jury"
        assert assembly.phase == "invite"
        assert StaffRole.objects.filter(assembly=assembly, user=oscar, role="organiser").exists()
        types = [e.event_type for e in AuditEvent.objects.filter(assembly=assembly)]
        assert sorted(types) == ["assembly.created", "role.granted"]

    def test_create_refuses_bad_input_and_saves_nothing(self, user):
        count = Assembly.objects.count()
        with pytest.raises(ValidationError) as info:
            actions.check_create_assembly(
                title=" ",
                question="",
                commissioner="x",
                slug="aberwen-climate",
                languages=["fr"],
                acting_user=user("organiser"),
            )
        assert set(info.value.message_dict) == {"title", "question", "slug", "languages"}
        assert Assembly.objects.count() == count

    def test_update_records_only_changed_fields(self, demo_assembly, user):
        actions.do_update_assembly(
            demo_assembly,
            acting_user=user("organiser"),
            title="Aberwen Climate Assembly 2040",
            question=demo_assembly.question,
        )
        (event,) = _events(demo_assembly, "assembly.updated")
        assert event.old == {"title": "Aberwen Climate Assembly"}
        assert event.new == {"title": "Aberwen Climate Assembly 2040"}


class TestMeetings:
    def test_update_meeting_records_only_changed_fields(self, demo_assembly, user):
        olivia = user("organiser")
        meeting = actions.check_schedule_meeting(
            demo_assembly,
            title="Weekend 5",
            starts_at=dt.datetime(2030, 5, 4, 10, tzinfo=dt.UTC),
            place="Town hall",
            acting_user=olivia,
        )
        actions.do_update_meeting(
            meeting,
            acting_user=olivia,
            title="Weekend 5",
            title_cy="Penwythnos 5",
            place="Town hall",
            place_cy="Neuadd y dref",
        )
        meeting.refresh_from_db()
        assert (meeting.title_cy, meeting.place_cy) == ("Penwythnos 5", "Neuadd y dref")
        (event,) = _events(demo_assembly, "meeting.updated")
        assert event.actor == olivia
        assert event.old == {"title_cy": "", "place_cy": ""}
        assert event.new == {"title_cy": "Penwythnos 5", "place_cy": "Neuadd y dref"}

    def test_update_meeting_without_change_writes_nothing(self, demo_assembly, user):
        meeting = actions.check_schedule_meeting(
            demo_assembly,
            title="Weekend 6",
            starts_at=dt.datetime(2030, 6, 1, 10, tzinfo=dt.UTC),
            acting_user=user("organiser"),
        )
        actions.do_update_meeting(meeting, acting_user=user("organiser"), title="Weekend 6")
        assert not _events(demo_assembly, "meeting.updated")


class TestStaff:
    def test_invite_new_person_creates_account_and_sends_link(
        self, demo_assembly, user, django_capture_on_commit_callbacks, client
    ):
        """An invitation creates a password-less account, grants the role and emails a working link."""
        with django_capture_on_commit_callbacks(execute=True):
            actions.check_invite_staff(
                demo_assembly,
                email="Nia@Example.org",
                role="facilitator",
                display_name="Nia Hughes",
                acting_user=user("organiser"),
            )
        role = StaffRole.objects.get(assembly=demo_assembly, user__email="nia@example.org")
        assert role.role == "facilitator"
        assert not role.user.has_usable_password()
        (message,) = mail.outbox
        assert message.to == ["nia@example.org"]
        link = next(w for w in message.body.split() if "/accounts/set-password/" in w)
        path = link.split("8000", 1)[1]
        response = client.get(path, follow=True)
        assert response.status_code == 200
        response = client.post(
            response.redirect_chain[-1][0],
            {"new_password1": "a-long-new-password-9", "new_password2": "a-long-new-password-9"},
        )
        assert response.status_code == 302
        role.user.refresh_from_db()
        assert role.user.check_password("a-long-new-password-9")
        assert AuditEvent.objects.filter(event_type="account.password_set").exists()

    def test_invite_existing_holder_of_role_refused(self, demo_assembly, user):
        with pytest.raises(ValidationError) as info:
            actions.check_invite_staff(
                demo_assembly,
                email="fergus@example.org",
                role="facilitator",
                acting_user=user("organiser"),
            )
        assert "email" in info.value.message_dict

    def test_invite_existing_account_gets_role_email(
        self, demo_assembly, user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            actions.check_invite_staff(
                demo_assembly,
                email="oscar@example.org",
                role=Role.EVALUATOR,
                acting_user=user("organiser"),
            )
        (message,) = mail.outbox
        assert "Evaluator" in message.subject
        assert "set-password" not in message.body

    def test_last_organiser_cannot_be_removed(self, demo_assembly, user):
        role = StaffRole.objects.get(assembly=demo_assembly, role="organiser")
        with pytest.raises(ValidationError):
            actions.check_revoke_role(role, acting_user=user("organiser"))
        assert StaffRole.objects.filter(pk=role.pk).exists()

    def test_revoke_is_audited(self, demo_assembly, user):
        role = StaffRole.objects.get(assembly=demo_assembly, role="facilitator")
        actions.check_revoke_role(role, acting_user=user("organiser"))
        assert not StaffRole.objects.filter(pk=role.pk).exists()
        (event,) = _events(demo_assembly, "role.revoked")
        assert event.old == {"user": "fergus@example.org", "role": "facilitator"}


class TestAuditLog:
    def test_demo_changes_are_all_audited(self, demo_assembly):
        """The demo was built through actions, so its history is in the log."""
        types = set(
            AuditEvent.objects.filter(assembly=demo_assembly).values_list("event_type", flat=True)
        )
        assert {
            "assembly.created",
            "role.granted",
            "assembly.phase_changed",
            "phase_dates.changed",
            "meeting.scheduled",
            "participant.added",
            "sign_in_link.issued",
        } <= types

    def test_log_cannot_be_edited_or_deleted(self, demo_assembly):
        event = AuditEvent.objects.filter(assembly=demo_assembly).first()
        event.event_type = "forged"
        with pytest.raises(PermissionDenied):
            event.save()
        with pytest.raises(PermissionDenied):
            event.delete()
        with pytest.raises(PermissionDenied):
            AuditEvent.objects.filter(pk=event.pk).update(event_type="forged")
        with pytest.raises(PermissionDenied):
            AuditEvent.objects.all().delete()
        assert AuditEvent.objects.get(pk=event.pk).event_type != "forged"

    def test_audit_page_shows_the_phase_change(self, demo_assembly, client_as):
        client = client_as("organiser")
        client.post(f"/a/{demo_assembly.slug}/phase/next/", {"to_phase": "deliberate"})
        response = client.get(f"/a/{demo_assembly.slug}/audit/")
        text = response.content.decode()
        assert "assembly.phase_changed" in text
        assert "phase: learn" in text and "phase: deliberate" in text

    def test_member_details_never_enter_the_log(self, demo_assembly):
        """Audit lines about members carry the pseudonym, not names or contacts."""
        dumped = " ".join(
            f"{e.object_repr} {e.old} {e.new}"
            for e in AuditEvent.objects.filter(assembly=demo_assembly)
        )
        for name in ("Megan", "Morgan", "megan@example.org", "Station Road"):
            assert name not in dumped


class TestDashboardViews:
    def test_next_phase_button_moves_the_phase(self, demo_assembly, client_as):
        client = client_as("organiser")
        page = client.get(f"/a/{demo_assembly.slug}/dashboard/").content.decode()
        assert "Move to the “Deliberate” phase" in page
        response = client.post(f"/a/{demo_assembly.slug}/phase/next/", {"to_phase": "deliberate"})
        assert response.status_code == 302
        demo_assembly.refresh_from_db()
        assert demo_assembly.phase == "deliberate"

    def test_double_submit_does_not_skip_a_phase(self, demo_assembly, client_as):
        """The form names its target phase, so a second click is refused."""
        client = client_as("organiser")
        client.post(f"/a/{demo_assembly.slug}/phase/next/", {"to_phase": "deliberate"})
        response = client.post(
            f"/a/{demo_assembly.slug}/phase/next/", {"to_phase": "deliberate"}, follow=True
        )
        demo_assembly.refresh_from_db()
        assert demo_assembly.phase == "deliberate"
        assert "can only move forward one phase" in response.content.decode()

    def test_facilitator_sees_no_phase_button(self, demo_assembly, client_as):
        page = client_as("facilitator").get(f"/a/{demo_assembly.slug}/dashboard/").content.decode()
        assert "Move to the" not in page
        assert "Audit log" not in page

    def test_reopen_form_shows_errors_per_field(self, demo_assembly, client_as):
        response = client_as("organiser").post(
            f"/a/{demo_assembly.slug}/phase/reopen/", {"to_phase": "register", "reason": ""}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["reason"]
        demo_assembly.refresh_from_db()
        assert demo_assembly.phase == "learn"

    def test_invite_form_shows_field_error(self, demo_assembly, client_as):
        response = client_as("organiser").post(
            f"/a/{demo_assembly.slug}/staff/", {"email": "not-an-email", "role": "facilitator"}
        )
        assert response.status_code == 200
        assert "email" in response.context["form"].errors
        assert 'aria-invalid="true"' in response.content.decode()
