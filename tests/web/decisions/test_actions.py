"""Actions of the decisions app: result, audit line, nothing changed on invalid input."""

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.decisions import actions
from minipublic.web.decisions.models import (
    AmendmentStatus,
    Ballot,
    BallotStatus,
    Outcome,
    Recommendation,
    Vote,
    VoterRegister,
)
from minipublic.web.decisions.tally import BallotRule, count_votes, default_rule

pytestmark = pytest.mark.django_db


def _m(members, name):
    return next(m for m in members if m.first_name == name)


def _events(kind, assembly):
    return list(AuditEvent.objects.filter(event_type=kind, assembly=assembly))


# --- recommendations, versions, amendments ------------------------------------


def test_draft_and_revise_keep_every_version(rec, user, demo_assembly):
    assert rec.number == Recommendation.objects.filter(assembly=demo_assembly).count()
    assert [v.number for v in rec.versions.all()] == [1]
    actions.check_revise_recommendation(
        rec,
        title=rec.title,
        text="Put solar panels on the roof of every school and library by 2030.",
        note="Libraries added at session 5",
        acting_user=user("facilitator"),
    )
    rec.refresh_from_db()
    assert rec.text.endswith("library by 2030.")
    v1, v2 = rec.versions.order_by("number")
    assert v1.text.endswith("every school by 2030.") and v2.author == user("facilitator")
    (event,) = _events("recommendation.revised", demo_assembly)[:1]
    assert event.new["version"] == 2 and event.old["version"] == 1


def test_draft_refuses_empty_fields_and_changes_nothing(demo_assembly, user):
    before = Recommendation.objects.count()
    with pytest.raises(ValidationError) as err:
        actions.check_draft_recommendation(
            demo_assembly,
            theme=None,
            title=" ",
            text="",
            drafted_by="",
            acting_user=user("organiser"),
        )
    assert set(err.value.message_dict) == {"title", "text", "drafted_by"}
    assert Recommendation.objects.count() == before


def test_amendment_accept_merge_reject_promote(rec, members, user, demo_assembly):
    organiser = user("organiser")
    a = actions.check_propose_amendment(
        rec,
        text=rec.text + " Starting with primary schools.",
        reason="Cheaper first.",
        proposer=_m(members, "Megan"),
    )
    assert a.proposer_label == _m(members, "Megan").pseudonym and a.based_on_version == 1
    actions.check_decide_amendment(a, decision="accept", reason="Agreed.", acting_user=organiser)
    rec.refresh_from_db()
    assert rec.text.endswith("primary schools.")
    assert rec.current_version.amendment == a
    b = actions.check_propose_amendment(
        rec, text="Solar everywhere.", reason="Bolder.", proposer=_m(members, "Tom")
    )
    with pytest.raises(ValidationError):
        actions.check_decide_amendment(
            b, decision="merge", reason="x", merged_text="", acting_user=organiser
        )
    actions.check_decide_amendment(
        b,
        decision="merge",
        reason="Kept the schools.",
        merged_text="Solar on every school and roof.",
        acting_user=organiser,
    )
    rec.refresh_from_db()
    assert rec.text == "Solar on every school and roof." and rec.versions.count() == 3
    c = actions.check_propose_amendment(
        rec, text="No solar.", reason="Cost.", proposer=_m(members, "Sam")
    )
    with pytest.raises(ValidationError):
        actions.check_promote_amendment(c, reason="x", acting_user=organiser)  # not rejected yet
    actions.check_decide_amendment(
        c, decision="reject", reason="Against the brief.", acting_user=organiser
    )
    rec.refresh_from_db()
    assert rec.versions.count() == 3
    new = actions.check_promote_amendment(
        c, reason="Let members vote on it.", acting_user=organiser
    )
    c.refresh_from_db()
    assert (
        c.status == AmendmentStatus.PROMOTED and new.text == "No solar." and new.promoted_from == c
    )
    assert new.number == rec.number + 1
    kinds = [
        e.event_type
        for e in AuditEvent.objects.filter(assembly=demo_assembly).order_by("created_at")
    ]
    assert kinds.count("amendment.decided") >= 3 and "amendment.promoted" in kinds
    with pytest.raises(ValidationError):  # decided once only
        actions.check_decide_amendment(a, decision="reject", reason="x", acting_user=organiser)


def test_closed_amendments_are_refused_but_stay_visible(rec, members, user):
    a = actions.check_propose_amendment(rec, text="Other text.", reason="r", proposer=members[0])
    actions.do_set_amendments_open(rec, is_open=False, acting_user=user("organiser"))
    with pytest.raises(ValidationError):
        actions.check_propose_amendment(rec, text="More text.", reason="r", proposer=members[0])
    assert list(rec.amendments.all()) == [a]


# --- sealing ------------------------------------------------------------------------


def test_opening_seals_the_rule_and_publishes_its_hash(open_ballot, demo_assembly, rec):
    rule = BallotRule.from_dict(open_ballot.rule)
    assert open_ballot.rule_sha256 == rule.sha256()
    (event,) = _events("ballot.opened", demo_assembly)[:1]
    assert event.new["rule_sha256"] == rule.sha256()
    assert event.new["rule_canonical_json"] == rule.canonical_json()
    rec.refresh_from_db()
    assert not rec.amendments_open
    assert open_ballot.voted_text == rec.text


def test_sealed_rule_cannot_change_and_attempts_are_audited(open_ballot, user, demo_assembly):
    before = dict(open_ballot.rule)
    attempt = {**before, "support_percent": "50"}
    with pytest.raises(ValidationError):
        actions.check_set_rule(open_ballot, rule=attempt, acting_user=user("organiser"))
    (refusal,) = _events("ballot.rule_change_refused", demo_assembly)
    assert refusal.new["attempted_rule"]["support_percent"] == "50"
    assert refusal.old["rule_sha256"] == open_ballot.rule_sha256
    # Below the action, the model refuses too.
    open_ballot.rule = attempt
    with pytest.raises(PermissionDenied):
        open_ballot.save()
    stored = Ballot.objects.get(pk=open_ballot.pk)
    assert stored.rule == before and stored.rule_sha256 == BallotRule.from_dict(before).sha256()
    # And the text can no longer change.
    with pytest.raises(ValidationError):
        actions.check_revise_recommendation(
            open_ballot.recommendation, title="x", text="y", note="z", acting_user=user("organiser")
        )


def test_rule_can_change_before_opening(rec, user, demo_assembly):
    ballot = actions.check_prepare_ballot(
        rec, rule=default_rule().to_dict(), acting_user=user("organiser")
    )
    actions.check_set_rule(
        ballot, rule={**ballot.rule, "quorum_percent": "60"}, acting_user=user("organiser")
    )
    ballot.refresh_from_db()
    assert ballot.rule["quorum_percent"] == "60.00"
    with pytest.raises(ValidationError) as err:
        actions.check_set_rule(
            ballot, rule={**ballot.rule, "support": []}, acting_user=user("organiser")
        )
    assert "support" in err.value.message_dict
    ballot.refresh_from_db()
    assert ballot.rule["support"] == [1, 2]


# --- voting, secrecy, close -----------------------------------------------------------


def test_vote_change_and_close_count_the_last_choice(open_ballot, members, user, demo_assembly):
    finals = {}
    for i, m in enumerate(members):
        actions.check_cast_vote(open_ballot, participant=m, value=5)
        finals[m.pk] = 1 + i % 3
        vote = actions.check_cast_vote(open_ballot, participant=m, value=finals[m.pk])
        assert actions.my_vote(open_ballot, m).receipt == vote.receipt
    assert Vote.objects.filter(ballot=open_ballot).count() == len(members)
    assert VoterRegister.objects.filter(ballot=open_ballot).count() == len(members)
    receipts = set(Vote.objects.filter(ballot=open_ballot).values_list("receipt", flat=True))
    actions.check_close_ballot(open_ballot, acting_user=user("organiser"))
    open_ballot.refresh_from_db()
    expected = count_votes(
        BallotRule.from_dict(open_ballot.rule), list(finals.values()), electorate=len(members)
    )
    assert open_ballot.result["distribution"] == [list(x) for x in expected.distribution]
    assert open_ballot.result["adopted"] == expected.adopted
    rec = open_ballot.recommendation
    rec.refresh_from_db()
    assert rec.outcome == (Outcome.ADOPTED if expected.adopted else Outcome.NOT_ADOPTED)
    # The link is gone: salt and token hashes erased, receipts kept.
    assert open_ballot.token_salt == ""
    assert (
        set(Vote.objects.filter(ballot=open_ballot).values_list("receipt", flat=True)) == receipts
    )
    assert not Vote.objects.filter(ballot=open_ballot).exclude(token_hash="").exists()
    assert all(actions.my_vote(open_ballot, m) is None for m in members)
    with pytest.raises(ValidationError):
        actions.check_cast_vote(open_ballot, participant=members[0], value=1)


def test_vote_refusals_change_nothing(open_ballot, members, other_assembly):
    from minipublic.web.people.models import Participant

    outsider = Participant.objects.create(assembly=other_assembly)
    with pytest.raises(ValidationError):
        actions.check_cast_vote(open_ballot, participant=outsider, value=1)
    with pytest.raises(ValidationError):
        actions.check_cast_vote(open_ballot, participant=members[0], value=9)
    assert not Vote.objects.filter(ballot=open_ballot).exists()
    assert not VoterRegister.objects.filter(ballot=open_ballot).exists()


def test_results_hidden_until_close(open_ballot, members, client_as):
    actions.check_cast_vote(open_ballot, participant=members[0], value=1)
    for who in ("anonymous", "member", "organiser"):
        page = client_as(who).get(f"/a/{open_ballot.assembly.slug}/results/").content.decode()
        assert open_ballot.recommendation.title not in page
        tally = (
            client_as(who).get(f"/a/{open_ballot.assembly.slug}/results/tally.csv").content.decode()
        )
        assert f"\n{open_ballot.pk}," not in tally
    staff = (
        client_as("organiser")
        .get(f"/a/{open_ballot.assembly.slug}/decisions/ballots/{open_ballot.pk}/")
        .content.decode()
    )
    assert "1 of" in staff and "Wholehearted support</th>" not in staff


# --- staged ballots -----------------------------------------------------------------------


def test_staged_ballot_waits_then_opens_or_is_skipped(
    open_ballot, rec, members, user, demo_assembly
):
    organiser = user("organiser")
    alt_if_failed = actions.check_draft_recommendation(
        demo_assembly,
        theme=None,
        title="Alt",
        text="Alt text.",
        drafted_by="T",
        acting_user=organiser,
    )
    alt_if_passed = actions.check_draft_recommendation(
        demo_assembly,
        theme=None,
        title="More",
        text="More text.",
        drafted_by="T",
        acting_user=organiser,
    )
    base = default_rule().to_dict()
    on_fail = actions.check_prepare_ballot(
        alt_if_failed,
        rule={**base, "opens_if_ballot": open_ballot.pk, "opens_if_outcome": "not_adopted"},
        acting_user=organiser,
    )
    on_pass = actions.check_prepare_ballot(
        alt_if_passed,
        rule={**base, "opens_if_ballot": open_ballot.pk, "opens_if_outcome": "adopted"},
        acting_user=organiser,
    )
    with pytest.raises(ValidationError, match="has not closed"):
        actions.check_open_ballot(on_fail, acting_user=organiser)
    for m in members:  # everyone blocks: not adopted
        actions.check_cast_vote(open_ballot, participant=m, value=5)
    actions.check_close_ballot(open_ballot, acting_user=organiser)
    on_pass.refresh_from_db()
    on_fail.refresh_from_db()
    assert on_pass.status == BallotStatus.SKIPPED
    assert _events("ballot.skipped", demo_assembly)[0].object_id == str(on_pass.pk)
    actions.check_open_ballot(on_fail, acting_user=organiser)
    on_fail.refresh_from_db()
    assert on_fail.status == BallotStatus.OPEN


# --- paper ballots: double entry ----------------------------------------------------------


def test_paper_double_entry_counts_only_matching_pairs(open_ballot, members, user):
    organiser, facilitator = user("organiser"), user("facilitator")
    paper_voters = members[:3]
    for m in paper_voters:
        actions.check_give_paper_ballot(open_ballot, participant=m, acting_user=organiser)
    with pytest.raises(ValidationError, match="paper"):
        actions.check_cast_vote(open_ballot, participant=paper_voters[0], value=1)
    actions.check_enter_paper_ballot(open_ballot, serial="a001", value=1, acting_user=organiser)
    actions.check_enter_paper_ballot(open_ballot, serial="A001", value=1, acting_user=facilitator)
    actions.check_enter_paper_ballot(open_ballot, serial="A002", value=2, acting_user=organiser)
    actions.check_enter_paper_ballot(open_ballot, serial="A002", value=4, acting_user=facilitator)
    actions.check_enter_paper_ballot(open_ballot, serial="A003", value=3, acting_user=organiser)
    states = {r["serial"]: r["state"] for r in actions.paper_status(open_ballot)}
    assert states == {"A001": "matched", "A002": "mismatch", "A003": "waiting"}
    # The same staff member typing twice is a correction, not a second entry.
    actions.check_enter_paper_ballot(open_ballot, serial="A003", value=3, acting_user=organiser)
    assert {r["serial"]: r["state"] for r in actions.paper_status(open_ballot)}["A003"] == "waiting"
    with pytest.raises(ValidationError):
        actions.check_enter_paper_ballot(open_ballot, serial="", value=7, acting_user=organiser)
    actions.check_close_ballot(open_ballot, acting_user=organiser)
    open_ballot.refresh_from_db()
    votes = {v.receipt: v.value for v in open_ballot.votes.all()}
    assert votes == {"PAPER-A001": 1}
    assert open_ballot.result["paper_counted"] == 1 and open_ballot.result["paper_not_counted"] == 2


def test_more_paper_votes_than_paper_voters_blocks_the_close(open_ballot, members, user):
    organiser, facilitator = user("organiser"), user("facilitator")
    actions.check_give_paper_ballot(open_ballot, participant=members[0], acting_user=organiser)
    for serial in ("B1", "B2"):
        actions.check_enter_paper_ballot(open_ballot, serial=serial, value=1, acting_user=organiser)
        actions.check_enter_paper_ballot(
            open_ballot, serial=serial, value=1, acting_user=facilitator
        )
    with pytest.raises(ValidationError, match="2 paper ballots"):
        actions.check_close_ballot(open_ballot, acting_user=organiser)
    open_ballot.refresh_from_db()
    assert open_ballot.status == BallotStatus.OPEN


# --- minority statements and foreword ---------------------------------------------------------


def test_minority_statement_needs_a_closed_ballot_and_counts_signatures(open_ballot, members, user):
    rec = open_ballot.recommendation
    with pytest.raises(ValidationError):
        actions.check_write_minority_statement(rec, participant=members[0], title="t", text="x")
    actions.check_close_ballot(open_ballot, acting_user=user("organiser"))
    st = actions.check_write_minority_statement(
        rec, participant=members[0], title="We disagree", text="Because."
    )
    actions.check_sign_minority_statement(st, participant=members[1])
    with pytest.raises(ValidationError):
        actions.check_sign_minority_statement(st, participant=members[1])
    assert st.signatures.count() == 2
    with pytest.raises(PermissionDenied):
        st.delete()


def test_foreword_saved_with_old_and_new_in_the_log(demo_assembly, user):
    old = demo_assembly.foreword.text
    actions.check_save_foreword(
        demo_assembly, text="New words.", signed_as="Us", acting_user=user("organiser")
    )
    event = AuditEvent.objects.filter(event_type="foreword.saved").order_by("-created_at").first()
    assert event.old["text"] == old and event.new["text"] == "New words."


def test_demo_has_adopted_and_rejected_and_staged(demo_assembly):
    ballots = Ballot.objects.filter(assembly=demo_assembly)
    outcomes = Counter(b.result["adopted"] for b in ballots if b.result)
    assert outcomes[True] >= 2 and outcomes[False] >= 1
    assert ballots.filter(status=BallotStatus.SKIPPED).count() == 1
    staged_held = [b for b in ballots if b.rule.get("opens_if_ballot") and b.status == "closed"]
    assert len(staged_held) == 1
    assert Recommendation.objects.adopted(demo_assembly).count() == outcomes[True]
    from minipublic.web.decisions.models import MinorityStatement

    assert MinorityStatement.objects.filter(recommendation__assembly=demo_assembly).count() == 2
