"""Deliberation: votes are idempotent, nothing unmoderated leaks, the map refreshes, criteria score.

Each test submits through the pages (or the actions), reloads and checks what
was stored, on the demo conversation (strict moderation, public voting open).
"""

import csv
import io
import json

import pytest
from django.test import Client

from minipublic.web.assemblies.actions import do_change_phase
from minipublic.web.assemblies.models import AuditEvent, Phase
from minipublic.web.csvcells import safe_cell
from minipublic.web.deliberation import actions, cached
from minipublic.web.deliberation.models import (
    Conversation,
    MapSnapshot,
    ModerationEntry,
    Statement,
    Status,
    Vote,
    Voter,
)
from minipublic.web.deliberation.views import COOKIE

pytestmark = pytest.mark.django_db

SECRET = "Secret pending statement about the moon landing being staged"


@pytest.fixture
def conversation(demo_assembly):
    return Conversation.objects.get(assembly=demo_assembly)


@pytest.fixture
def deliberate(demo_assembly, user):
    do_change_phase(demo_assembly, Phase.DELIBERATE, acting_user=user("organiser"))
    demo_assembly.refresh_from_db()
    return demo_assembly


def _accepted(conversation):
    return Statement.objects.filter(conversation=conversation, status=Status.ACCEPTED).first()


def _public_client(conversation) -> Client:
    client = Client()
    response = client.get(f"/a/{conversation.assembly.slug}/statements/")
    assert response.status_code == 200 and COOKIE in response.cookies
    return client


def test_member_vote_is_idempotent(conversation, deliberate, client_as, member):
    """Voting twice on one statement keeps one row with the latest value."""
    client = client_as("member")
    statement = _accepted(conversation)
    url = f"/a/{conversation.assembly.slug}/statements/vote/"
    r1 = client.post(
        url, {"statement": statement.pk, "vote": "agree"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    r2 = client.post(
        url, {"statement": statement.pk, "vote": "agree"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert r1.json() == {"ok": True} and r2.json() == {"ok": True}
    r3 = client.post(url, {"statement": statement.pk, "vote": "disagree"})
    assert r3.status_code == 302
    voter = Voter.objects.get(conversation=conversation, participant=member())
    rows = Vote.objects.filter(voter=voter, statement=statement)
    assert rows.count() == 1 and rows.get().value == -1


def test_public_browser_votes_once_per_statement(conversation):
    client = _public_client(conversation)
    statement = _accepted(conversation)
    url = f"/a/{conversation.assembly.slug}/statements/vote/"
    for value in ("agree", "pass", "pass"):
        assert client.post(url, {"statement": statement.pk, "vote": value}).status_code == 302
    browser = client.cookies[COOKIE].value
    voter = Voter.objects.get(conversation=conversation, browser_id=browser)
    assert list(voter.votes.values_list("statement_id", "value")) == [(statement.pk, 0)]
    # A browser without the cookie cannot vote (no row created).
    before = Vote.objects.count()
    bare = Client()
    response = bare.post(
        url, {"statement": statement.pk, "vote": "agree"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 400 and Vote.objects.count() == before


def test_public_rate_limit(conversation, settings):
    settings.MINIPUBLIC_PUBLIC_VOTES_PER_MINUTE = 3
    client = _public_client(conversation)
    url = f"/a/{conversation.assembly.slug}/statements/vote/"
    ids = list(Statement.objects.visible(conversation).values_list("pk", flat=True)[:5])
    codes = [
        client.post(
            url, {"statement": pk, "vote": "agree"}, HTTP_X_REQUESTED_WITH="fetch"
        ).status_code
        for pk in ids
    ]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    voter = Voter.objects.get(browser_id=client.cookies[COOKIE].value)
    assert voter.votes.count() == 3


def test_vote_page_routes_unseen_statements_and_counts(conversation, deliberate, client_as, member):
    client = client_as("member")
    slug = conversation.assembly.slug
    data = client.get(f"/a/{slug}/statements/next.json").json()
    voter = Voter.objects.get(conversation=conversation, participant=member())
    voted = set(voter.votes.values_list("statement_id", flat=True))
    visible = set(Statement.objects.visible(conversation).values_list("pk", flat=True))
    assert data["total"] == len(visible) and data["voted"] == len(voted & visible)
    ids = [s["id"] for s in data["statements"]]
    assert ids and not set(ids) & voted and set(ids) <= visible and len(set(ids)) == len(ids)
    page = client.get(f"/a/{slug}/statements/").content.decode()
    assert f"Statement {len(voted & visible) + 1} of {len(visible)}" in page
    # Participants' statements carry the label.
    own = Statement.objects.filter(
        conversation=conversation, author__isnull=False, status="accepted"
    ).first()
    page = client.get(f"/a/{slug}/statements/?statement={own.pk}").content.decode()
    assert own.text in page and 'id="statement-label" hidden' not in page


def test_strict_moderation_leaks_nothing(conversation, client_as):
    """A pending statement is absent from every page, JSON and export others can open."""
    slug = conversation.assembly.slug
    author_client = _public_client(conversation)
    author_client.post(f"/a/{slug}/statements/write/", {"text": SECRET})
    statement = Statement.objects.get(text=SECRET)
    assert statement.status == Status.PENDING and statement.by_participant
    # The author sees it as waiting in their own list.
    assert (
        "waiting for moderation"
        in author_client.get(f"/a/{slug}/statements/write/").content.decode()
    )
    # Everyone else: vote page (even asked for by id), next.json, map, room, similar warnings.
    other = _public_client(conversation)
    for client in (other, client_as("member"), client_as("commissioner")):
        for url in (
            f"/a/{slug}/statements/?statement={statement.pk}",
            f"/a/{slug}/statements/next.json",
            f"/a/{slug}/opinion-map/",
        ):
            assert SECRET not in client.get(url).content.decode(), url
    near = other.post(f"/a/{slug}/statements/write/", {"text": SECRET + "!"}).content.decode()
    assert SECRET not in near
    # Voting on it is refused and stores nothing.
    before = Vote.objects.count()
    response = other.post(
        f"/a/{slug}/statements/vote/",
        {"statement": statement.pk, "vote": "agree"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 400 and Vote.objects.count() == before
    # A refreshed map does not include it either.
    snapshot = actions.compute_map(conversation)
    assert str(statement.pk) not in snapshot.data["statements"]
    # Accepted: now everyone sees it.
    actions.check_moderate(statement, "accept", acting_user=None)
    assert SECRET in other.get(f"/a/{slug}/statements/?statement={statement.pk}").content.decode()


def test_permissive_shows_pending_but_never_rejected(conversation, user):
    actions.check_save_settings(
        conversation, moderation="permissive", acting_user=user("organiser")
    )
    slug = conversation.assembly.slug
    author = _public_client(conversation)
    author.post(f"/a/{slug}/statements/write/", {"text": SECRET})
    statement = Statement.objects.get(text=SECRET)
    other = _public_client(conversation)
    url = f"/a/{slug}/statements/?statement={statement.pk}"
    assert SECRET in other.get(url).content.decode()
    assert "Moderation: permissive" in other.get(url).content.decode()
    with pytest.raises(actions.ValidationError):
        actions.check_moderate(statement, "reject", reason="", acting_user=user("facilitator"))
    actions.check_moderate(statement, "reject", reason="Off topic", acting_user=user("facilitator"))
    assert SECRET not in other.get(url).content.decode()
    assert SECRET not in json.dumps(other.get(f"/a/{slug}/statements/next.json").json())


def test_near_duplicate_warns_and_offers_the_existing_statement(conversation):
    slug = conversation.assembly.slug
    client = _public_client(conversation)
    existing = Statement.objects.get(
        conversation=conversation, text__startswith="Buses should run every"
    )
    text = "Buses should run every 20 minutes to villages around Aberwen."
    n = Statement.objects.count()
    page = client.post(f"/a/{slug}/statements/write/", {"text": text}).content.decode()
    assert "Something very like this is already here" in page
    assert f"/a/{slug}/statements/?statement={existing.pk}" in page
    assert Statement.objects.count() == n
    client.post(f"/a/{slug}/statements/write/", {"text": text, "confirm": "1"})
    assert Statement.objects.filter(text=text, status=Status.PENDING).exists()


def test_length_cap_and_edit_only_before_first_vote(conversation, user):
    slug = conversation.assembly.slug
    client = _public_client(conversation)
    long = "A" * (conversation.max_length + 1)
    page = client.post(f"/a/{slug}/statements/write/", {"text": long}).content.decode()
    assert "Keep it to 280 characters" in page and not Statement.objects.filter(text=long).exists()
    client.post(
        f"/a/{slug}/statements/write/",
        {"text": "Solar panels should go on the leisure centre roof."},
    )
    statement = Statement.objects.get(text__startswith="Solar panels should go on the leisure")
    client.post(
        f"/a/{slug}/statements/{statement.pk}/edit/",
        {"text": "Solar panels should go on the swimming pool roof."},
    )
    statement.refresh_from_db()
    assert statement.text == "Solar panels should go on the swimming pool roof."
    actions.check_moderate(statement, "accept", acting_user=user("facilitator"))
    voter = actions.do_get_voter(conversation, browser_id="someone-else")
    actions.do_vote(conversation, voter.pk, statement.pk, 1)
    page = client.post(
        f"/a/{slug}/statements/{statement.pk}/edit/", {"text": "Something quite different now."}
    )
    statement.refresh_from_db()
    assert statement.text.startswith("Solar panels should go on the swimming")
    assert "already voted" in page.content.decode()
    # Another browser cannot open the author's edit page.
    assert (
        _public_client(conversation).get(f"/a/{slug}/statements/{statement.pk}/edit/").status_code
        == 404
    )


def test_moderation_merge_moves_votes_and_is_logged(conversation, user, client_as):
    fergus = user("facilitator")
    slug = conversation.assembly.slug
    target = _accepted(conversation)
    dup_author = actions.do_get_voter(conversation, browser_id="dup-author")
    dup = actions.do_submit_statement(
        conversation, dup_author, "A copy that says the same as the first."
    )
    actions.do_moderate(dup, "accept", acting_user=fergus)
    a = actions.do_get_voter(conversation, browser_id="a")
    b = actions.do_get_voter(conversation, browser_id="b")
    actions.do_vote(conversation, a.pk, dup.pk, 1)
    actions.do_vote(conversation, b.pk, dup.pk, -1)
    actions.do_vote(conversation, b.pk, target.pk, 1)
    client = client_as("facilitator")
    response = client.post(
        f"/a/{slug}/deliberation/moderate/{dup.pk}/",
        {"decision": "merge", "into": target.pk, "reason": "duplicate"},
    )
    assert response.status_code == 302
    dup.refresh_from_db()
    assert dup.status == Status.MERGED and dup.merged_into == target
    assert Vote.objects.get(voter=a, statement=target).value == 1  # moved
    assert Vote.objects.get(voter=b, statement=target).value == 1  # kept its own vote there
    assert not Vote.objects.filter(statement=dup).exists()
    entry = ModerationEntry.objects.filter(statement=dup, action="merged").get()
    assert entry.actor == fergus and entry.reason == "duplicate"
    assert AuditEvent.objects.filter(event_type="statement.merged", object_id=str(dup.pk)).exists()


def test_moderation_csv_neutralises_formulas_and_is_staff_only(conversation, user, client_as):
    author = actions.do_get_voter(conversation, browser_id="csv-author")
    statement = actions.do_submit_statement(conversation, author, '=HYPERLINK("http://x","click")')
    actions.check_moderate(
        statement, "reject", reason="+SUM(1,2) not a statement", acting_user=user("facilitator")
    )
    response = client_as("evaluator").get(
        f"/a/{conversation.assembly.slug}/deliberation/moderation-log.csv"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    row = next(r for r in rows if r[3] == str(statement.pk))
    assert row[1] == "fergus@example.org" and row[2] == "rejected"
    assert row[4].startswith("'=") and row[5].startswith("'+")
    assert safe_cell("-1") == "'-1" and safe_cell("@x") == "'@x" and safe_cell("ok") == "ok"
    for who in ("anonymous", "member"):
        response = client_as(who).get(
            f"/a/{conversation.assembly.slug}/deliberation/moderation-log.csv"
        )
        assert response.status_code in (302, 403)


def test_map_refresh_task_stores_a_new_version(
    conversation, client_as, django_capture_on_commit_callbacks, run_queue
):
    slug = conversation.assembly.slug
    before = conversation.map_version
    client = client_as("facilitator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/a/{slug}/deliberation/map/refresh/")
    assert response.status_code == 302 and "progress=" in response["Location"]
    conversation.refresh_from_db()
    assert conversation.map_refresh_pending
    # A second request while one waits starts nothing.
    assert actions.do_start_map_refresh(conversation) is None
    with django_capture_on_commit_callbacks(execute=True):  # the worker's commit
        run_queue()
    conversation.refresh_from_db()
    assert conversation.map_version == before + 1 and not conversation.map_refresh_pending
    snap = MapSnapshot.objects.get(conversation=conversation, version=before + 1)
    assert snap.seed == conversation.seed and snap.data["n_groups"] >= 2
    version = Client().get(f"/a/{slug}/opinion-map/version.json")
    assert version.json() == {"version": before + 1}
    assert "max-age" in version["Cache-Control"]


def test_map_is_due_after_threshold(conversation):
    actions.check_save_settings(conversation, refresh_threshold=3)
    actions.compute_map(conversation)
    conversation.refresh_from_db()
    assert not actions.map_is_due(conversation)
    ids = list(Statement.objects.visible(conversation).values_list("pk", flat=True)[:3])
    voter = actions.do_get_voter(conversation, browser_id="threshold")
    for pk in ids:
        actions.do_vote(conversation, voter.pk, pk, 1, check_refresh=False)
    assert actions.map_is_due(conversation)


def test_map_page_says_what_unites_and_divides(conversation):
    page = Client().get(f"/a/{conversation.assembly.slug}/opinion-map/").content.decode()
    assert "What unites everyone" in page and "What divides" in page and "<svg" in page
    assert "Group A" in page and "Group B" in page
    assert "invented for this demonstration" in page


def test_value_pairs_oppose_groups(conversation, client_as):
    page = client_as("facilitator").get(f"/a/{conversation.assembly.slug}/deliberation/value-map/")
    pairs = page.context["pairs"]
    assert pairs
    for pair in pairs:
        assert pair["left"]["mine"] - pair["left"]["theirs"] >= 30
        assert pair["right"]["mine"] - pair["right"]["theirs"] >= 30


def test_criteria_support_close_and_heat_map(conversation, deliberate, client_as, member, user):
    slug = conversation.assembly.slug
    # The demo's list is closed: reopen a fresh state for this test.
    Conversation.objects.filter(pk=conversation.pk).update(criteria_closed=False)
    conversation.criteria.all().delete()
    megan = client_as("member")
    megan.post(
        f"/a/{slug}/deliberation/criteria/",
        {"what": "propose", "text": "It must be affordable for renters."},
    )
    criterion = conversation.criteria.get(text="It must be affordable for renters.")
    megan.post(f"/a/{slug}/deliberation/criteria/", {"what": "yes", "criterion": criterion.pk})
    megan.post(f"/a/{slug}/deliberation/criteria/", {"what": "yes", "criterion": criterion.pk})
    assert criterion.supports.filter(support=True).count() == 1
    # Members cannot close the list; the facilitator can.
    assert (
        megan.post(
            f"/a/{slug}/deliberation/criteria/", {"what": "close", "agreed": [criterion.pk]}
        ).status_code
        == 403
    )
    client_as("facilitator").post(
        f"/a/{slug}/deliberation/criteria/", {"what": "close", "agreed": [criterion.pk]}
    )
    criterion.refresh_from_db()
    assert criterion.status == "agreed"
    proposal = conversation.proposals.first()
    # "does not" needs a reason.
    megan.post(
        f"/a/{slug}/criteria/score/", {"proposal": proposal.pk, f"fit-{criterion.pk}": "not"}
    )
    assert not proposal.scores.filter(criterion=criterion).exists()
    megan.post(
        f"/a/{slug}/criteria/score/",
        {
            "proposal": proposal.pk,
            f"fit-{criterion.pk}": "not",
            f"reason-{criterion.pk}": "Rents would rise.",
        },
    )
    score = proposal.scores.get(criterion=criterion)
    assert score.fit == "not" and score.participant == member()
    page = client_as("commissioner").get(f"/a/{slug}/deliberation/heat-map/").content.decode()
    assert (
        "0 meets · 0 partly · 1 not" in page and "Rents would rise." in page and "heat-high" in page
    )


def test_member_home_section_only_in_deliberate_phase(conversation, client_as, demo_assembly, user):
    page = client_as("member").get(f"/a/{demo_assembly.slug}/me/").content.decode()
    assert "Vote on statements" not in page
    do_change_phase(demo_assembly, Phase.DELIBERATE, acting_user=user("organiser"))
    page = client_as("member").get(f"/a/{demo_assembly.slug}/me/").content.decode()
    assert "Vote on statements" in page


def test_public_links_follow_the_organisers_choice(conversation, demo_assembly, user):
    page = Client().get(f"/a/{demo_assembly.slug}/").content.decode()
    assert f"/a/{demo_assembly.slug}/opinion-map/" in page
    actions.check_save_settings(
        conversation, map_public=False, public_voting=False, acting_user=user("organiser")
    )
    page = Client().get(f"/a/{demo_assembly.slug}/").content.decode()
    assert f"/a/{demo_assembly.slug}/opinion-map/" not in page
    assert Client().get(f"/a/{demo_assembly.slug}/opinion-map/").status_code == 302
    assert Client().get(f"/a/{demo_assembly.slug}/statements/").status_code == 302


def test_meta_consensus_survey_stores_answers(conversation, deliberate, client_as, member, user):
    actions.check_set_dri_stage(conversation, "post", acting_user=user("organiser"))
    client = client_as("member")
    slug = conversation.assembly.slug
    data = {f"c-{c.pk}": str(1 + i % 7) for i, c in enumerate(conversation.considerations.all())}
    options = list(conversation.options.all())
    # Two options in the same place: refused, nothing changed.
    bad = {**data, **{f"o-{o.pk}": "1" for o in options}}
    before = list(
        actions.Ranking.objects.filter(participant=member(), stage="post").values_list(
            "option_id", "rank"
        )
    )
    client.post(f"/a/{slug}/meta-consensus/", bad)
    after = list(
        actions.Ranking.objects.filter(participant=member(), stage="post").values_list(
            "option_id", "rank"
        )
    )
    assert sorted(before) == sorted(after)
    good = {**data, **{f"o-{o.pk}": str(len(options) - i) for i, o in enumerate(options)}}
    assert client.post(f"/a/{slug}/meta-consensus/", good).status_code == 302
    stored = dict(
        actions.Ranking.objects.filter(participant=member(), stage="post").values_list(
            "option_id", "rank"
        )
    )
    assert stored == {o.pk: len(options) - i for i, o in enumerate(options)}


def test_dri_runs_as_a_task_with_its_seed(
    conversation, client_as, django_capture_on_commit_callbacks, run_queue
):
    pytest.importorskip("minipublic.deliberation.dri")
    slug = conversation.assembly.slug
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("evaluator").post(
            f"/a/{slug}/deliberation/meta-consensus/", {"what": "run", "seed": "7"}
        )
    assert response.status_code == 302
    run_queue()
    run = conversation.dri_runs.get()
    assert run.seed == 7 and run.finished_at and not run.error
    by_stage = {row["stage"]: row for row in run.stages}
    assert set(by_stage) == {"pre", "post"}
    assert by_stage["post"]["dri"] > by_stage["pre"]["dri"]
    assert by_stage["pre"]["n_participants"] == 8
    page = client_as("organiser").get(f"/a/{slug}/deliberation/meta-consensus/").content.decode()
    assert "random shuffles" in page and "Seed 7" in page


def test_member_view_marks_where_the_member_is(conversation, client_as, member):
    """The member's own place on the map (member view); the public view has no ring."""
    voter = Voter.objects.get(conversation=conversation, participant=member())
    snapshot = MapSnapshot.objects.get(conversation=conversation, version=conversation.map_version)
    row = next(p for p in snapshot.data["participants"] if p[0] == voter.pk)
    letter = "ABCDE"[row[3]]
    page = client_as("member").get(f"/a/{conversation.assembly.slug}/opinion-map/").content.decode()
    assert f"You are in group {letter}." in page and 'r="9"' in page
    public = Client().get(f"/a/{conversation.assembly.slug}/opinion-map/").content.decode()
    assert "You are in group" not in public and 'r="9"' not in public


def test_map_version_poll_comes_from_the_cache_and_follows_a_new_map(
    conversation, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """After one read, polls touch no database; a new map's commit updates the cached version."""
    url = f"/a/{conversation.assembly.slug}/opinion-map/version.json"
    client = Client()
    first = client.get(url).json()["version"]
    assert first == conversation.map_version
    with django_assert_num_queries(0):
        assert client.get(url).json() == {"version": first}
    with django_capture_on_commit_callbacks(execute=True):
        actions.compute_map(conversation)
    # The commit put the new version in the cache (no read of the conversation).
    with django_assert_num_queries(0):
        assert cached.map_version(conversation.pk) == first + 1
    # The save also made this process forget its cached assembly: one read, then none.
    assert client.get(url).json() == {"version": first + 1}
    with django_assert_num_queries(0):
        assert client.get(url).json() == {"version": first + 1}
    # A settings save that does not touch the version leaves the cached one alone.
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_save_settings(conversation, refresh_threshold=7)
    with django_assert_num_queries(0):
        assert cached.map_version(conversation.pk) == first + 1


def test_vote_stores_one_row_in_one_query(conversation, django_assert_max_num_queries):
    """A public vote (browser known, assembly cached) is one statement: the upsert.

    (On PostgreSQL the upsert goes through psycopg's own cursor, which Django
    does not count, so the bound there is zero.)
    """
    client = _public_client(conversation)
    url = f"/a/{conversation.assembly.slug}/statements/vote/"
    ids = list(Statement.objects.visible(conversation).values_list("pk", flat=True)[:2])
    assert client.post(url, {"statement": ids[0], "vote": "agree"}).status_code == 302
    with django_assert_max_num_queries(1):
        response = client.post(
            url, {"statement": ids[1], "vote": "disagree"}, HTTP_X_REQUESTED_WITH="fetch"
        )
    assert response.json() == {"ok": True}
    voter = Voter.objects.get(browser_id=client.cookies[COOKIE].value)
    assert dict(voter.votes.values_list("statement_id", "value")) == {ids[0]: 1, ids[1]: -1}


def test_refresh_check_interval_grows_with_the_threshold():
    """25 votes a thread for usual thresholds; a tenth of a large one, at most 250."""
    assert [actions.check_interval(t) for t in (1, 50, 250, 1000, 10**9)] == [25, 25, 25, 100, 250]
