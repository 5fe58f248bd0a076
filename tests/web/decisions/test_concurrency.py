"""150 members vote and change their votes at the same time; the count is the last choice of each.

Real threads, each with its own database connection, against a committed
database (``transactional_db``). Run it on PostgreSQL too:
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/decisions17 pytest tests/web/decisions/test_concurrency.py``.
"""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from minipublic.web.assemblies.models import Assembly
from minipublic.web.decisions import actions
from minipublic.web.decisions.models import Vote, VoterRegister
from minipublic.web.decisions.tally import BallotRule, count_votes, default_rule
from minipublic.web.people.models import Participant, User

N_MEMBERS = 150


@pytest.mark.django_db(transaction=True)
def test_150_members_changing_votes_concurrently():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip(
            "needs a database file or server: SQLite's shared in-memory test database has no busy wait"
        )
    organiser = User.objects.create_user("conc@example.org", "x")
    assembly = Assembly.objects.create(
        slug="concurrency", title="C", question="Q?", commissioner="C"
    )
    Participant.objects.bulk_create(Participant(assembly=assembly) for _ in range(N_MEMBERS))
    members = list(Participant.objects.filter(assembly=assembly))
    rec = actions.check_draft_recommendation(
        assembly, theme=None, title="T", text="Text.", drafted_by="Table 1", acting_user=organiser
    )
    ballot = actions.check_prepare_ballot(rec, rule=default_rule().to_dict(), acting_user=organiser)
    actions.check_open_ballot(ballot, acting_user=organiser)
    ballot.refresh_from_db()

    rng = random.Random(17)
    plans = {m.pk: [rng.randint(1, 5) for _ in range(rng.randint(1, 4))] for m in members}
    start = threading.Barrier(16)
    by_pk = {m.pk: m for m in members}

    def vote(pk: int, first: bool) -> int:
        try:
            if first:
                start.wait(timeout=30)
            for value in plans[pk]:
                actions.check_cast_vote(ballot, participant=by_pk[pk], value=value)
            return plans[pk][-1]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(vote, pk, i < 16) for i, pk in enumerate(plans)]
        finals = [f.result(timeout=300) for f in futures]

    assert Vote.objects.filter(ballot=ballot).count() == N_MEMBERS
    assert VoterRegister.objects.filter(ballot=ballot).count() == N_MEMBERS
    actions.check_close_ballot(ballot, acting_user=organiser)
    ballot.refresh_from_db()
    expected = count_votes(BallotRule.from_dict(ballot.rule), finals, electorate=N_MEMBERS)
    assert ballot.result["distribution"] == [list(x) for x in expected.distribution]
    assert ballot.result["votes"] == N_MEMBERS
    assert ballot.result["adopted"] == expected.adopted
