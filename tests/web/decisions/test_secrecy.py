"""Secret but countable: no model, row, log, export or page links a vote to a member.

The walk covers (1) the schema of every model of the site, (2) every stored
row of every model, serialised, (3) every page of the app (and the audit log
and member pages) as every role and as each voter, and (4) the exports (tally
file, report), before and after the ballot closes.
"""

import json

import pytest
from django.apps import apps
from django.core import serializers
from django.db import models
from django.test import Client

from minipublic.web.decisions import actions
from minipublic.web.decisions.models import Vote, VoterRegister
from minipublic.web.people.models import Participant

from ..conftest import WHO, sign_in_member

pytestmark = pytest.mark.django_db


def _relations(model):
    return [f for f in model._meta.get_fields() if f.is_relation and f.concrete]


def test_schema_has_no_path_from_a_vote_to_a_member():
    """Vote relates only to its ballot, has no time; nothing else points at a vote."""
    vote_relations = {f.name: f.related_model for f in _relations(Vote)}
    assert set(vote_relations) == {"ballot"}
    assert not [
        f
        for f in Vote._meta.concrete_fields
        if isinstance(f, (models.DateTimeField, models.DateField))
    ]
    assert isinstance(Vote._meta.pk, models.UUIDField)
    for model in apps.get_models():
        if model is Vote:
            continue
        for f in _relations(model):
            assert f.related_model is not Vote, f"{model.__name__}.{f.name} points at a vote"
    register_fields = {f.name for f in VoterRegister._meta.concrete_fields}
    assert register_fields == {"id", "ballot", "participant", "source"}
    # Models that name a member carry no vote value, receipt or token.
    for model in apps.get_models():
        if any(f.related_model is Participant for f in _relations(model)):
            names = {f.name for f in model._meta.concrete_fields}
            assert not names & {"value", "receipt", "token_hash", "vote"}, model.__name__


def _all_rows_text(exclude=(Vote,)) -> str:
    chunks = []
    for model in apps.get_models():
        if model in exclude or model._meta.proxy or not model._meta.managed:
            continue
        chunks.append(serializers.serialize("json", model._default_manager.all()))
    return "\n".join(chunks)


@pytest.fixture
def voted(open_ballot, members, user):
    """Online votes (one changed) and a paper ballot, before close."""
    online = members[:4]
    for i, m in enumerate(online):
        actions.check_cast_vote(open_ballot, participant=m, value=4)
        actions.check_cast_vote(open_ballot, participant=m, value=1 + i % 2)
    paper_voter = members[4]
    actions.check_give_paper_ballot(
        open_ballot, participant=paper_voter, acting_user=user("organiser")
    )
    actions.check_enter_paper_ballot(
        open_ballot, serial="Z9", value=3, acting_user=user("organiser")
    )
    actions.check_enter_paper_ballot(
        open_ballot, serial="Z9", value=3, acting_user=user("facilitator")
    )
    return open_ballot, online, paper_voter


def _pages(ballot):
    slug = ballot.assembly.slug
    d = f"/a/{slug}/decisions"
    n = ballot.recommendation.number
    return [
        f"{d}/",
        f"{d}/r/{n}/",
        f"{d}/r/1/",
        f"{d}/ballots/{ballot.pk}/",
        f"{d}/ballots/{ballot.pk}/paper/",
        f"{d}/foreword/",
        f"/a/{slug}/vote/",
        f"/a/{slug}/results/",
        f"/a/{slug}/results/tally.csv",
        f"/a/{slug}/report/",
        f"/a/{slug}/audit/",
        f"/a/{slug}/members/",
        f"/a/{slug}/me/",
        f"/a/{slug}/",
    ]


def _clients(client_as, voters):
    out = [(who, client_as(who)) for who in WHO]
    out += [(f"voter {v.pseudonym}", sign_in_member(Client(), v)) for v in voters]
    return out


def _check_pages(ballot, voters, client_as):
    receipts = set(Vote.objects.filter(ballot=ballot).values_list("receipt", flat=True))
    pseudonyms = {v.pseudonym for v in voters}
    for who, client in _clients(client_as, voters):
        for url in _pages(ballot):
            response = client.get(url)
            if response.status_code != 200:
                continue
            body = response.content.decode()
            shown_receipts = {r for r in receipts if r in body}
            shown_members = {p for p in pseudonyms if p in body}
            assert not (shown_receipts and shown_members), (
                f"{who} {url} shows receipts {shown_receipts} beside members {shown_members}"
            )


def test_rows_logs_and_pages_do_not_link_while_open(voted, client_as):
    ballot, online, paper_voter = voted
    votes = list(Vote.objects.filter(ballot=ballot))
    text = _all_rows_text()
    for v in votes:
        assert v.receipt not in text, "a receipt is stored outside the vote row"
        assert v.token_hash not in text, "a token hash is stored outside the vote row"
    # The audit lines about voting say who voted (as the register does), never how.
    for event in ballot.assembly.audit_events.filter(event_type="ballot.vote_recorded"):
        assert set(event.new) == {"changed"}
    for event in ballot.assembly.audit_events.filter(object_type="decisions.vote"):
        raise AssertionError(f"audit line about a vote row: {event}")
    # The register holds no value and no vote id.
    register = json.loads(
        serializers.serialize("json", VoterRegister.objects.filter(ballot=ballot))
    )
    assert all(set(r["fields"]) == {"ballot", "participant", "source"} for r in register)
    _check_pages(ballot, [*online, paper_voter], client_as)


def test_after_close_nobody_can_link_even_with_the_database_and_the_secret(voted, user, client_as):
    ballot, online, paper_voter = voted
    actions.check_close_ballot(ballot, acting_user=user("organiser"))
    ballot.refresh_from_db()
    assert ballot.token_salt == ""
    assert not Vote.objects.filter(ballot=ballot).exclude(token_hash="").exists()
    assert all(actions.voting_token(ballot, m) is None for m in online)
    assert Vote.objects.filter(ballot=ballot).count() == 5  # 4 online + 1 paper
    text = _all_rows_text()
    for v in Vote.objects.filter(ballot=ballot):
        assert v.receipt not in text
    # Exports: the tally and the report name no member.
    slug = ballot.assembly.slug
    client = client_as("anonymous")
    tally = client.get(f"/a/{slug}/results/tally.csv").content.decode()
    report = client.get(f"/a/{slug}/report/").content.decode()
    for m in Participant.objects.filter(assembly=ballot.assembly):
        assert m.pseudonym not in tally
    for m in [*online, paper_voter]:
        assert m.pseudonym not in report
    assert tally.count(f"\n{ballot.pk},") == 5
    _check_pages(ballot, [*online, paper_voter], client_as)
