"""Daily email exactly once across a worker restart; CSV export → import round trip."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from minipublic.web.decisions.models import Recommendation
from minipublic.web.followup import actions
from minipublic.web.followup.csvfile import check_import_csv, export_csv
from minipublic.web.followup.digest import recipients, send_daily_digests
from minipublic.web.followup.models import Delivery, Response, StatusUpdate

pytestmark = pytest.mark.django_db


class WorkerDiedError(Exception):
    pass


def test_digest_is_sent_once_even_when_the_worker_dies(demo_assembly):
    today = timezone.localdate()
    people = recipients(demo_assembly)
    assert len(people) >= 2
    sent: list[str] = []

    def dying_send(email, language, context, unsubscribe_url):
        if len(sent) == 1:
            raise WorkerDiedError  # the worker dies while sending the second email
        sent.append(email)

    with pytest.raises(WorkerDiedError):
        send_daily_digests(demo_assembly, today, send=dying_send)
    # The restarted worker sends to everyone else, and to nobody twice.
    result = send_daily_digests(demo_assembly, today, send=lambda e, *a: sent.append(e))
    assert sorted(sent) == sorted(set(sent))
    assert len(sent) == len(people) - 1  # the one being sent at the crash is not repeated
    assert result["skipped"] == 2
    assert (
        Delivery.objects.filter(assembly=demo_assembly, day=today, sent_at__isnull=True).count()
        == 1
    )
    again = send_daily_digests(demo_assembly, today, send=lambda e, *a: sent.append(e))
    assert again["sent"] == 0 and len(sent) == len(people) - 1


def test_digest_email_has_one_click_unsubscribe_for_followers(demo_assembly):
    mail.outbox.clear()
    send_daily_digests(demo_assembly, timezone.localdate())
    follower_mail = [m for m in mail.outbox if m.to == ["resident@example.org"]]
    assert len(follower_mail) == 1
    assert follower_mail[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/follow-up/unsubscribe/" in follower_mail[0].body


def test_no_news_no_email(demo_assembly):
    mail.outbox.clear()
    assert (
        send_daily_digests(demo_assembly, timezone.localdate() - datetime.timedelta(days=3))["sent"]
        == 0
    )
    assert not mail.outbox


def test_csv_round_trip_is_identical(demo_assembly, user):
    carys = user("commissioner")
    first = export_csv(demo_assembly)
    assert check_import_csv(demo_assembly, first.encode(), name="t.csv", acting_user=carys) == {
        "responses": 0,
        "updates": 0,
    }
    assert export_csv(demo_assembly) == first


def test_csv_import_changes_only_what_differs(demo_assembly, user):
    carys = user("commissioner")
    rows = export_csv(demo_assembly).splitlines()
    header = rows[0].split(",")
    # Change the percentage of the first row that has a status.
    import csv
    import io

    data = list(csv.reader(io.StringIO("\n".join(rows))))
    target = next(r for r in data[1:] if r[header.index("status")])
    target[header.index("status")] = "in_progress"
    target[header.index("percent")] = "77"
    target[header.index("recorded_on")] = timezone.localdate().isoformat()
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(data)
    before = StatusUpdate.objects.count()
    result = check_import_csv(
        demo_assembly, out.getvalue().encode(), name="t.csv", acting_user=carys
    )
    assert result == {"responses": 0, "updates": 1}
    assert StatusUpdate.objects.count() == before + 1
    assert export_csv(demo_assembly) == out.getvalue()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda r: r.__setitem__(0, "999"),
            "row 2, column recommendation: no adopted recommendation has number 999",
        ),
        (lambda r: r.__setitem__(2, "maybe"), "row 2, column category"),
        (lambda r: r.__setitem__(8, "150"), "row 2, column percent"),
        (lambda r: r.__setitem__(6, "31/12/2030"), "row 2, column due_by"),
    ],
)
def test_csv_errors_name_row_and_column_and_change_nothing(demo_assembly, user, change, message):
    import csv
    import io

    data = list(csv.reader(io.StringIO(export_csv(demo_assembly))))
    row = next(r for r in data[1:] if r[7])  # a row with a status
    data.remove(row)
    data.insert(1, row)
    change(data[1])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(data)
    before = (StatusUpdate.objects.count(), Response.objects.count())
    with pytest.raises(ValidationError) as exc:
        check_import_csv(
            demo_assembly, out.getvalue().encode(), name="t.csv", acting_user=user("commissioner")
        )
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert (StatusUpdate.objects.count(), Response.objects.count()) == before


def test_csv_cells_are_spreadsheet_safe(demo_assembly, user):
    rec = Recommendation.objects.adopted(demo_assembly).first()
    response = Response.objects.get(recommendation=rec)
    actions.check_save_response(
        rec,
        category="rejected",
        reason='=HYPERLINK("http://x")',
        responsible_body="Council",
        acting_user=user("commissioner"),
    )
    actions.check_publish_response(
        Response.objects.get(pk=response.pk), acting_user=user("commissioner")
    )
    text = export_csv(demo_assembly)
    assert "'=HYPERLINK" in text
    # ...and importing the file back reads the original text.
    assert (
        check_import_csv(
            demo_assembly, text.encode(), name="t.csv", acting_user=user("commissioner")
        )["responses"]
        == 0
    )


def test_missing_column(demo_assembly, user):
    with pytest.raises(ValidationError, match="missing column"):
        check_import_csv(
            demo_assembly,
            b"recommendation,title\n1,x\n",
            name="t.csv",
            acting_user=user("commissioner"),
        )
