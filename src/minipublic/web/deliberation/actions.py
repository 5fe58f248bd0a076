"""Every change in the ``deliberation`` app: ``check_*`` validates, ``do_*`` writes.

Votes are the one hot path: :func:`do_vote` is a single
``INSERT … ON CONFLICT (voter, statement) DO UPDATE`` in a short transaction,
with no audit line (a vote is not an organiser's change, and thousands of
them would drown the log; the vote row itself records who and when).
Everything else writes one audit line through :func:`record_event`, and every
moderation decision also writes one line to the exportable moderation log.
"""

import threading

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from minipublic.web.assemblies.audit import actor_label_for, record_event
from minipublic.web.deliberation.models import (
    RATING_MAX,
    RATING_MIN,
    Consideration,
    Conversation,
    Criterion,
    CriterionStatus,
    CriterionSupport,
    DRIRun,
    Fit,
    MapSnapshot,
    Moderation,
    ModerationEntry,
    Option,
    Proposal,
    Ranking,
    Rating,
    Score,
    Statement,
    Status,
    Vote,
    Voter,
)

MIN_LENGTH = 10

# --- the conversation and its settings -------------------------------------------


@transaction.atomic
def do_start_conversation(assembly, *, topic: str, acting_user=None, **settings) -> Conversation:
    """Create the assembly's statement conversation with the organiser's settings."""
    conversation = Conversation.objects.create(assembly=assembly, topic=topic, **settings)
    record_event(
        "conversation.started",
        conversation,
        actor=acting_user,
        assembly=assembly,
        new={"topic": topic, **{k: v for k, v in settings.items() if k != "attribution"}},
    )
    _log(conversation, None, acting_user, "policy", detail=conversation.moderation)
    return conversation


SETTING_FIELDS = (
    "topic",
    "moderation",
    "is_open",
    "public_voting",
    "map_public",
    "max_length",
    "refresh_threshold",
)


def check_save_settings(conversation, *, acting_user=None, **values) -> Conversation:
    errors = {}
    if values.get("max_length") is not None and not 40 <= values["max_length"] <= 1000:
        errors["max_length"] = _("Choose a length between 40 and 1000 characters.")
    if values.get("refresh_threshold") is not None and values["refresh_threshold"] < 1:
        errors["refresh_threshold"] = _("Choose at least 1.")
    if values.get("moderation") not in (None, *Moderation.values):
        errors["moderation"] = _("Choose strict or permissive moderation.")
    if errors:
        raise ValidationError(errors)
    return do_save_settings(conversation, acting_user=acting_user, **values)


@transaction.atomic
def do_save_settings(conversation, *, acting_user=None, **values) -> Conversation:
    old = {f: getattr(conversation, f) for f in SETTING_FIELDS if f in values}
    changed = {f: v for f, v in values.items() if f in SETTING_FIELDS and old.get(f) != v}
    if not changed:
        return conversation
    for field, value in changed.items():
        setattr(conversation, field, value)
    conversation.save(update_fields=list(changed))
    record_event(
        "conversation.settings_changed",
        conversation,
        actor=acting_user,
        assembly=conversation.assembly,
        old={f: old[f] for f in changed},
        new=changed,
    )
    if "moderation" in changed:
        _log(conversation, None, acting_user, "policy", detail=changed["moderation"])
    return conversation


# --- voters and votes ------------------------------------------------------------


def do_get_voter(conversation, *, participant=None, browser_id: str | None = None) -> Voter:
    """The voter row of a member or of a public browser, created on first use."""
    if participant is not None:
        voter, _created = Voter.objects.get_or_create(
            conversation=conversation, participant=participant
        )
    else:
        voter, _created = Voter.objects.get_or_create(
            conversation=conversation, browser_id=browser_id
        )
    return voter


def check_vote(conversation, voter_id: int, statement_id, value) -> bool:
    """Validate the vote's value, then store it (see :func:`do_vote`).

    Returns False (and stores nothing) when the statement is not one the
    voter may see under the moderation policy.
    """
    try:
        value = int(value) if str(value).lstrip("-").isdigit() else Vote.VALUES[str(value)]
        statement_id = int(statement_id)
    except (KeyError, TypeError, ValueError):
        raise ValidationError({"vote": _("Choose agree, disagree or pass.")}) from None
    if value not in (-1, 0, 1):
        raise ValidationError({"vote": _("Choose agree, disagree or pass.")})
    if not do_vote(conversation, voter_id, statement_id, value):
        raise ValidationError({"statement": _("This statement cannot be voted on.")})
    return True


_counter = threading.local()


def _upsert_sql(conversation) -> tuple[str, tuple]:
    statuses = (
        (Status.ACCEPTED,)
        if conversation.moderation == Moderation.STRICT
        else (Status.ACCEPTED, Status.PENDING)
    )
    vote, statement = Vote._meta.db_table, Statement._meta.db_table
    marks = ", ".join(["%s"] * len(statuses))
    sql = (
        f"INSERT INTO {vote} (voter_id, statement_id, value, updated_at) "
        f"SELECT %s, s.id, %s, %s FROM {statement} s "
        f"WHERE s.id = %s AND s.conversation_id = %s AND s.status IN ({marks}) "
        "ON CONFLICT (voter_id, statement_id) "
        "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
    )
    return sql, tuple(str(x) for x in statuses)


def do_vote(
    conversation, voter_id: int, statement_id: int, value: int, *, check_refresh: bool = True
) -> bool:
    """Insert or update the voter's vote: one idempotent statement, one transaction.

    The ``INSERT … SELECT`` takes its statement row only when that statement
    is visible under the moderation policy, so the check and the write are
    one atomic statement (a statement rejected a moment ago cannot be voted
    on). Returns whether a vote was stored.
    """
    sql, statuses = _upsert_sql(conversation)
    # One statement: in autocommit mode it is its own transaction (no BEGIN /
    # COMMIT round trips); inside an outer atomic block it joins that one.
    if connection.vendor == "postgresql":
        # psycopg's own cursor on Django's connection binds the parameters on
        # the server and prepares the statement after a few uses (half the
        # client's CPU of Django's client-side cursor); database errors still
        # go through Django's wrapper, which marks the connection as failed.
        import psycopg

        params = (voter_id, value, timezone.now(), statement_id, conversation.pk, *statuses)
        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params)
            stored = cursor.rowcount == 1
    else:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, (voter_id, value, now, statement_id, conversation.pk, *statuses))
            stored = cursor.rowcount == 1
    if stored and check_refresh:
        _maybe_refresh(conversation)
    return stored


# Every thread checks whether the map is due only once every this many votes
# it stores, so the vote request itself stays a single INSERT: 25, or a tenth
# of a larger threshold (at most 250), because the check counts up to the
# threshold's number of votes.
CHECK_EVERY = 25
CHECK_EVERY_MOST = 250


def check_interval(threshold: int) -> int:
    """Votes a thread stores between two checks of :func:`map_is_due`."""
    return min(max(CHECK_EVERY, threshold // 10), CHECK_EVERY_MOST)


def _maybe_refresh(conversation) -> None:
    counts = _counter.__dict__.setdefault("counts", {})
    counts[conversation.pk] = counts.get(conversation.pk, 0) + 1
    if counts[conversation.pk] % check_interval(conversation.refresh_threshold):
        return
    if conversation.map_refresh_pending:
        return
    if map_is_due(conversation):
        do_start_map_refresh(conversation, acting_user=None, reason="threshold")


def map_is_due(conversation) -> bool:
    """Whether enough votes or statements arrived since the last map (the threshold)."""
    last = conversation.maps.order_by("-version").values_list("created_at", flat=True).first()
    votes = Vote.objects.filter(statement__conversation=conversation)
    statements = Statement.objects.filter(conversation=conversation)
    if last is not None:
        votes = votes.filter(updated_at__gt=last)
        statements = statements.filter(created_at__gt=last)
    news = votes[: conversation.refresh_threshold].count()
    if news >= conversation.refresh_threshold:
        return True
    return news + statements.count() >= conversation.refresh_threshold


# --- statements ------------------------------------------------------------------


def similar_visible(conversation, text: str, *, exclude=()) -> list[tuple[Statement, float]]:
    """Visible statements that say nearly the same as *text* (best first)."""
    from minipublic.deliberation.statements import similar_statements

    rows = dict(
        Statement.objects.visible(conversation).exclude(pk__in=exclude).values_list("pk", "text")
    )
    if not rows or not text.strip():
        return []
    hits = similar_statements(text, rows, method="lexical", top=3)
    by_id = Statement.objects.in_bulk([h.statement for h in hits])
    return [(by_id[h.statement], h.score) for h in hits if h.statement in by_id]


def _clean_text(conversation, text: str, field: str = "text") -> str:
    text = " ".join((text or "").split())
    if len(text) < MIN_LENGTH:
        raise ValidationError({field: _("Write at least %(n)d characters.") % {"n": MIN_LENGTH}})
    if len(text) > conversation.max_length:
        raise ValidationError(
            {
                field: _("Keep it to %(max)d characters (this one has %(n)d).")
                % {"max": conversation.max_length, "n": len(text)}
            }
        )
    return text


def check_submit_statement(conversation, voter: Voter, text: str) -> Statement:
    """A participant's statement: cleaned, length-checked, then stored as pending."""
    text = _clean_text(conversation, text)
    if Statement.objects.filter(conversation=conversation, text__iexact=text).exists():
        raise ValidationError({"text": _("This statement is already in the conversation.")})
    return do_submit_statement(conversation, voter, text)


@transaction.atomic
def do_submit_statement(conversation, voter: Voter, text: str) -> Statement:
    statement = Statement.objects.create(conversation=conversation, text=text, author=voter)
    record_event(
        "statement.submitted",
        statement,
        actor=voter.participant if voter.participant_id else None,
        assembly=conversation.assembly,
        new={"text": text, "by": str(voter)},
    )
    return statement


@transaction.atomic
def do_add_seed_statement(
    conversation, text: str, *, acting_user=None, source_id: str = ""
) -> Statement:
    """A statement written by the organisers (accepted at once, not labelled as a participant's)."""
    statement = Statement.objects.create(
        conversation=conversation,
        text=text,
        author_user=acting_user,
        status=Status.ACCEPTED,
        moderated_at=timezone.now(),
        source_id=source_id,
    )
    record_event(
        "statement.added",
        statement,
        actor=acting_user,
        assembly=conversation.assembly,
        new={"text": text},
    )
    _log(conversation, statement, acting_user, "added", detail=text)
    return statement


def check_add_seed_statement(conversation, text: str, *, acting_user=None) -> Statement:
    text = _clean_text(conversation, text)
    return do_add_seed_statement(conversation, text, acting_user=acting_user)


def _log(conversation, statement, actor, action: str, *, reason: str = "", detail: str = ""):
    ModerationEntry.objects.create(
        conversation=conversation,
        statement=statement,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label_for(actor)[:200],
        action=action,
        reason=reason,
        detail=detail,
    )


def check_moderate(statement: Statement, decision: str, *, reason: str = "", acting_user=None):
    """Accept or reject (a rejection needs a reason)."""
    reason = (reason or "").strip()
    if decision not in ("accept", "reject"):
        raise ValidationError({"decision": _("Choose accept or reject.")})
    if decision == "reject" and not reason:
        raise ValidationError({"reason": _("Say why the statement is rejected.")})
    if statement.status == Status.MERGED:
        raise ValidationError({"decision": _("This statement was merged into another.")})
    return do_moderate(statement, decision, reason=reason, acting_user=acting_user)


@transaction.atomic
def do_moderate(statement: Statement, decision: str, *, reason: str = "", acting_user=None):
    old = statement.status
    statement.status = Status.ACCEPTED if decision == "accept" else Status.REJECTED
    statement.moderated_at = timezone.now()
    statement.save(update_fields=["status", "moderated_at"])
    record_event(
        f"statement.{statement.status}",
        statement,
        actor=acting_user,
        assembly=statement.conversation.assembly,
        old={"status": old},
        new={"status": statement.status, "reason": reason},
    )
    _log(statement.conversation, statement, acting_user, statement.status, reason=reason)
    return statement


def check_merge(statement: Statement, into_id, *, reason: str = "", acting_user=None):
    """Merge a duplicate into another statement of the same conversation."""
    try:
        into = Statement.objects.get(
            pk=int(into_id),
            conversation=statement.conversation,
            status__in=[Status.ACCEPTED, Status.PENDING],
        )
    except (Statement.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"into": _("Choose a statement of this conversation.")}) from None
    if into.pk == statement.pk:
        raise ValidationError({"into": _("A statement cannot be merged into itself.")})
    return do_merge(statement, into, reason=reason or "", acting_user=acting_user)


@transaction.atomic
def do_merge(statement: Statement, into: Statement, *, reason: str = "", acting_user=None):
    """Mark *statement* merged into *into*; its votes move there unless the voter voted there too."""
    already = set(into.votes.values_list("voter_id", flat=True))
    moving = statement.votes.exclude(voter_id__in=already)
    moved = moving.update(statement=into)
    statement.votes.all().delete()
    old = statement.status
    statement.status = Status.MERGED
    statement.merged_into = into
    statement.moderated_at = timezone.now()
    statement.save(update_fields=["status", "merged_into", "moderated_at"])
    record_event(
        "statement.merged",
        statement,
        actor=acting_user,
        assembly=statement.conversation.assembly,
        old={"status": old},
        new={"status": "merged", "into": into.pk, "votes_moved": moved},
    )
    _log(
        statement.conversation,
        statement,
        acting_user,
        "merged",
        reason=reason,
        detail=f"into statement {into.pk}",
    )
    return statement


def check_edit_statement(statement: Statement, text: str, *, acting_user=None, voter=None):
    """Edit the text, only while nobody has voted on it."""
    text = _clean_text(statement.conversation, text)
    if statement.votes.exists():
        raise ValidationError(
            {"text": _("People have already voted on this statement, so it cannot be changed.")}
        )
    if voter is not None and statement.author_id != voter.pk:
        raise ValidationError({"text": _("You can only change your own statements.")})
    return do_edit_statement(statement, text, acting_user=acting_user, voter=voter)


@transaction.atomic
def do_edit_statement(statement: Statement, text: str, *, acting_user=None, voter=None):
    old = statement.text
    statement.text = text
    statement.save(update_fields=["text"])
    actor = acting_user or (voter.participant if voter and voter.participant_id else None)
    record_event(
        "statement.edited",
        statement,
        actor=actor,
        assembly=statement.conversation.assembly,
        old={"text": old},
        new={"text": text},
    )
    _log(statement.conversation, statement, actor, "edited", detail=f"{old} -> {text}")
    return statement


# --- the opinion map ---------------------------------------------------------------


@transaction.atomic
def do_start_map_refresh(conversation, *, acting_user=None, reason: str = "on demand"):
    """Queue a map refresh unless one is already waiting; return the progress row or None."""
    from django.utils.translation import gettext

    from minipublic.web.deliberation.tasks import run_refresh_map
    from minipublic.web.progress.actions import do_start_task

    claimed = Conversation.objects.filter(pk=conversation.pk, map_refresh_pending=False).update(
        map_refresh_pending=True
    )
    if not claimed:
        return None
    conversation.map_refresh_pending = True
    return do_start_task(
        run_refresh_map,
        kind="deliberation.map",
        title=gettext("Refreshing the opinion map"),
        assembly=conversation.assembly,
        acting_user=acting_user,
        conversation_id=conversation.pk,
        reason=reason,
    )


def votes_frame(conversation):
    """``participant, statement, vote`` for every vote on a visible statement (voter ids)."""
    import pandas as pd

    visible = Statement.objects.visible(conversation).values("pk")
    rows = list(
        Vote.objects.filter(statement__in=visible).values_list("voter_id", "statement_id", "value")
    )
    return pd.DataFrame(rows, columns=["participant", "statement", "vote"])


def summarise_map(opinion_map) -> dict:
    """The JSON kept with each map version: what the pages draw and say."""
    import numpy as np

    gv = opinion_map.group_votes
    k = opinion_map.n_groups
    statements = {}
    extremity = opinion_map.pca.extremity
    bridging = opinion_map.bridging
    for j, sid in enumerate(opinion_map.statements):
        statements[str(int(sid))] = {
            "agree": int(opinion_map.n_agree[j]),
            "disagree": int(opinion_map.n_disagree[j]),
            "pass": int(opinion_map.n_pass[j]),
            "consensus": float(opinion_map.group_consensus[j]),
            "bridging": float(bridging.statement_intercepts[j]) if bridging else None,
            "bridging_factor": float(bridging.statement_factors[j]) if bridging else None,
            "priority": float(opinion_map.priority[j]),
            "extremity": float(extremity[j]),
            "group_agree": [int(gv.n_agree[g, j]) for g in range(k)],
            "group_disagree": [int(gv.n_disagree[g, j]) for g in range(k)],
            "group_seen": [int(gv.n_seen[g, j]) for g in range(k)],
        }
    people = [
        [int(p), round(float(x), 4), round(float(y), 4), int(g)]
        for p, (x, y), g in zip(
            opinion_map.participants, opinion_map.coordinates, opinion_map.groups, strict=True
        )
    ]
    return {
        "n_groups": int(k),
        "participants": people,
        "groups": [
            {
                "group": g,
                "size": int(np.sum(opinion_map.groups == g)),
                "representative": [
                    {
                        "statement": int(r.statement),
                        "direction": r.direction,
                        "share": r.n_success / max(r.n_trials, 1),
                        "repness": float(r.repness),
                    }
                    for r in opinion_map.representative.get(g, [])
                ],
            }
            for g in range(k)
        ],
        "consensus": {
            d: [int(c.statement) for c in lst] for d, lst in opinion_map.consensus.items()
        },
        "statements": statements,
    }


def compute_map(conversation, *, progress=None) -> MapSnapshot | None:
    """Compute the opinion map from the current votes and store it as the next version."""
    from minipublic.deliberation.statements import statement_map

    frame = votes_frame(conversation)
    if frame.empty or frame["participant"].nunique() < 2 or frame["statement"].nunique() < 2:
        return None
    opinion_map = statement_map(frame, seed=conversation.seed, progress=progress)
    return do_store_map(
        conversation,
        summarise_map(opinion_map),
        n_votes=len(frame),
        n_voters=int(frame["participant"].nunique()),
        n_statements=int(frame["statement"].nunique()),
    )


@transaction.atomic
def do_store_map(conversation, data: dict, *, n_votes: int, n_voters: int, n_statements: int):
    conv = Conversation.objects.select_for_update().get(pk=conversation.pk)
    version = conv.map_version + 1
    snapshot = MapSnapshot.objects.create(
        conversation=conv,
        version=version,
        seed=conv.seed,
        n_votes=n_votes,
        n_voters=n_voters,
        n_statements=n_statements,
        data=data,
    )
    conv.map_version = version
    conv.save(update_fields=["map_version"])
    record_event(
        "map.computed",
        snapshot,
        assembly=conv.assembly,
        new={
            "version": version,
            "seed": conv.seed,
            "votes": n_votes,
            "voters": n_voters,
            "statements": n_statements,
            "groups": data["n_groups"],
        },
    )
    conversation.map_version = version
    return snapshot


def do_finish_map_refresh(conversation) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(map_refresh_pending=False)


# --- convergent facilitation --------------------------------------------------------


def check_propose_criterion(conversation, text: str, *, participant=None, acting_user=None):
    text = " ".join((text or "").split())
    if conversation.criteria_closed:
        raise ValidationError({"text": _("The list of criteria is closed.")})
    if len(text) < 5:
        raise ValidationError({"text": _("Write the criterion in a few words.")})
    if len(text) > 200:
        raise ValidationError({"text": _("Keep it to 200 characters.")})
    if conversation.criteria.filter(text__iexact=text).exists():
        raise ValidationError({"text": _("This criterion is already on the list.")})
    return do_propose_criterion(
        conversation, text, participant=participant, acting_user=acting_user
    )


@transaction.atomic
def do_propose_criterion(conversation, text: str, *, participant=None, acting_user=None):
    criterion = Criterion.objects.create(
        conversation=conversation, text=text, proposed_by=participant
    )
    record_event(
        "criterion.proposed",
        criterion,
        actor=acting_user or participant,
        assembly=conversation.assembly,
        new={"text": text},
    )
    return criterion


def check_support_criterion(criterion: Criterion, participant, support: bool):
    if criterion.conversation.criteria_closed:
        raise ValidationError({"support": _("The list of criteria is closed.")})
    return do_support_criterion(criterion, participant, support)


@transaction.atomic
def do_support_criterion(criterion: Criterion, participant, support: bool):
    CriterionSupport.objects.update_or_create(
        criterion=criterion, participant=participant, defaults={"support": support}
    )


def criteria_with_support(conversation):
    """Criteria annotated with ``n_yes`` and ``n_no``, most supported first."""
    from django.db.models import Q

    return conversation.criteria.annotate(
        n_yes=Count("supports", filter=Q(supports__support=True)),
        n_no=Count("supports", filter=Q(supports__support=False)),
    ).order_by("-n_yes", "n_no", "pk")


def check_close_criteria(conversation, agreed_ids, *, acting_user=None):
    ids = {int(i) for i in agreed_ids if str(i).isdigit()}
    valid = set(conversation.criteria.filter(pk__in=ids).values_list("pk", flat=True))
    if not valid:
        raise ValidationError({"agreed": _("Choose at least one criterion for the list.")})
    if len(valid) > 12:
        raise ValidationError({"agreed": _("Keep the list short: at most 12 criteria.")})
    return do_close_criteria(conversation, valid, acting_user=acting_user)


@transaction.atomic
def do_close_criteria(conversation, agreed: set[int], *, acting_user=None):
    conversation.criteria.filter(pk__in=agreed).update(status=CriterionStatus.AGREED)
    conversation.criteria.exclude(pk__in=agreed).update(status=CriterionStatus.DROPPED)
    conversation.criteria_closed = True
    conversation.save(update_fields=["criteria_closed"])
    record_event(
        "criteria.closed",
        conversation,
        actor=acting_user,
        assembly=conversation.assembly,
        new={"agreed": sorted(agreed)},
    )


def check_add_proposal(conversation, title: str, text: str = "", *, acting_user=None):
    title = " ".join((title or "").split())
    if len(title) < 3:
        raise ValidationError({"title": _("Give the proposal a title.")})
    return do_add_proposal(conversation, title[:200], (text or "").strip(), acting_user=acting_user)


@transaction.atomic
def do_add_proposal(conversation, title: str, text: str = "", *, acting_user=None):
    proposal = Proposal.objects.create(conversation=conversation, title=title, text=text)
    record_event(
        "proposal.added",
        proposal,
        actor=acting_user,
        assembly=conversation.assembly,
        new={"title": title},
    )
    return proposal


def check_score(proposal: Proposal, criterion: Criterion, participant, fit: str, reason: str = ""):
    if not proposal.conversation.criteria_closed or criterion.status != CriterionStatus.AGREED:
        raise ValidationError({"fit": _("Proposals are scored against the agreed criteria only.")})
    if criterion.conversation_id != proposal.conversation_id:
        raise ValidationError({"fit": _("This criterion belongs to another conversation.")})
    if fit not in Fit.values:
        raise ValidationError({"fit": _("Choose meets, partly or does not meet.")})
    reason = " ".join((reason or "").split())
    if fit != Fit.MEETS and not reason:
        raise ValidationError(
            {"reason": _("Say why, so the group can ask what would make it work for you.")}
        )
    return do_score(proposal, criterion, participant, fit, reason[:300])


@transaction.atomic
def do_score(proposal, criterion, participant, fit: str, reason: str):
    score, _created = Score.objects.update_or_create(
        proposal=proposal,
        criterion=criterion,
        participant=participant,
        defaults={"fit": fit, "reason": reason},
    )
    return score


# --- meta-consensus ------------------------------------------------------------------


@transaction.atomic
def do_set_dri_items(
    conversation, considerations: list[str], options: list[str], *, acting_user=None
):
    """Replace the considerations and options (only while nobody has answered)."""
    if Rating.objects.filter(consideration__conversation=conversation).exists():
        raise ValidationError({"considerations": _("Members have already answered.")})
    conversation.considerations.all().delete()
    conversation.options.all().delete()
    Consideration.objects.bulk_create(
        [Consideration(conversation=conversation, text=t) for t in considerations]
    )
    Option.objects.bulk_create([Option(conversation=conversation, text=t) for t in options])
    record_event(
        "dri.items_set",
        conversation,
        actor=acting_user,
        assembly=conversation.assembly,
        new={"considerations": len(considerations), "options": len(options)},
    )


def check_set_dri_items(
    conversation, considerations_text: str, options_text: str, *, acting_user=None
):
    considerations = [c.strip() for c in considerations_text.splitlines() if c.strip()]
    options = [o.strip() for o in options_text.splitlines() if o.strip()]
    errors = {}
    if not 20 <= len(considerations) <= 50:
        errors["considerations"] = _("Give between 20 and 50 considerations, one a line.")
    if not 3 <= len(options) <= 7:
        errors["options"] = _("Give between 3 and 7 options, one a line.")
    if errors:
        raise ValidationError(errors)
    return do_set_dri_items(conversation, considerations, options, acting_user=acting_user)


def check_set_dri_stage(conversation, stage: str, *, acting_user=None):
    if stage not in ("", "pre", "post"):
        raise ValidationError({"stage": _("Choose closed, before or after.")})
    if stage and not (
        20 <= conversation.considerations.count() <= 50 and 3 <= conversation.options.count() <= 7
    ):
        raise ValidationError({"stage": _("Set the considerations and options first.")})
    return do_set_dri_stage(conversation, stage, acting_user=acting_user)


@transaction.atomic
def do_set_dri_stage(conversation, stage: str, *, acting_user=None):
    old = conversation.dri_stage
    conversation.dri_stage = stage
    conversation.save(update_fields=["dri_stage"])
    record_event(
        "dri.stage_changed",
        conversation,
        actor=acting_user,
        assembly=conversation.assembly,
        old={"stage": old},
        new={"stage": stage},
    )


def check_answer_dri(conversation, participant, ratings: dict, ranks: dict):
    """Store a member's ratings (``{consideration id: 1..7}``) and ranking (``{option id: rank}``)."""
    stage = conversation.dri_stage
    if not stage:
        raise ValidationError({"stage": _("The survey is closed.")})
    consideration_ids = set(conversation.considerations.values_list("pk", flat=True))
    option_ids = set(conversation.options.values_list("pk", flat=True))
    errors = {}
    if set(ratings) != consideration_ids or any(
        not (RATING_MIN <= r <= RATING_MAX) for r in ratings.values()
    ):
        errors["ratings"] = _("Rate every consideration from %(lo)d to %(hi)d.") % {
            "lo": RATING_MIN,
            "hi": RATING_MAX,
        }
    if set(ranks) != option_ids or sorted(ranks.values()) != list(range(1, len(option_ids) + 1)):
        errors["ranks"] = _("Give every option a different place, 1 for your first choice.")
    if errors:
        raise ValidationError(errors)
    return do_answer_dri(conversation, participant, stage, ratings, ranks)


@transaction.atomic
def do_answer_dri(conversation, participant, stage: str, ratings: dict, ranks: dict):
    Rating.objects.filter(
        participant=participant, stage=stage, consideration__conversation=conversation
    ).delete()
    Ranking.objects.filter(
        participant=participant, stage=stage, option__conversation=conversation
    ).delete()
    Rating.objects.bulk_create(
        [
            Rating(consideration_id=c, participant=participant, stage=stage, rating=r)
            for c, r in ratings.items()
        ]
    )
    Ranking.objects.bulk_create(
        [
            Ranking(option_id=o, participant=participant, stage=stage, rank=r)
            for o, r in ranks.items()
        ]
    )
    record_event(
        "dri.answered",
        conversation,
        actor=participant,
        assembly=conversation.assembly,
        new={"stage": stage},
    )


@transaction.atomic
def do_start_dri(conversation, *, seed: int, permutations: int = 1000, acting_user=None):
    from django.utils.translation import gettext

    from minipublic.web.deliberation.tasks import run_dri
    from minipublic.web.progress.actions import do_start_task

    run = DRIRun.objects.create(conversation=conversation, seed=seed, permutations=permutations)
    progress = do_start_task(
        run_dri,
        kind="deliberation.dri",
        title=gettext("Computing the Deliberative Reason Index"),
        assembly=conversation.assembly,
        acting_user=acting_user,
        run_id=run.pk,
    )
    run.progress = progress
    run.save(update_fields=["progress"])
    return run


def dri_frames(conversation):
    import pandas as pd

    ratings = pd.DataFrame(
        list(
            Rating.objects.filter(consideration__conversation=conversation).values_list(
                "participant__pseudonym", "stage", "consideration_id", "rating"
            )
        ),
        columns=["participant", "stage", "consideration", "rating"],
    )
    ranks = pd.DataFrame(
        list(
            Ranking.objects.filter(option__conversation=conversation).values_list(
                "participant__pseudonym", "stage", "option_id", "rank"
            )
        ),
        columns=["participant", "stage", "option", "rank"],
    )
    return ratings, ranks


def compute_dri(run: DRIRun) -> DRIRun:
    from minipublic.deliberation.dri import deliberative_reason_index

    ratings, ranks = dri_frames(run.conversation)
    result = deliberative_reason_index(ratings, ranks, permutations=run.permutations, seed=run.seed)
    return do_store_dri(run, result)


@transaction.atomic
def do_store_dri(run: DRIRun, result) -> DRIRun:
    import math

    def clean(v):
        if isinstance(v, float) and math.isnan(v):
            return None
        return v.item() if hasattr(v, "item") else v

    run.stages = [{k: clean(v) for k, v in row.items()} for row in result.stages.to_dict("records")]
    run.individual = [
        {k: clean(v) for k, v in row.items()} for row in result.individual.to_dict("records")
    ]
    run.change_p_value = clean(result.change_p_value)
    run.finished_at = timezone.now()
    run.save(update_fields=["stages", "individual", "change_p_value", "finished_at"])
    record_event(
        "dri.computed",
        run,
        assembly=run.conversation.assembly,
        new={"seed": run.seed, "permutations": run.permutations, "stages": run.stages},
    )
    return run


def do_fail_dri(run: DRIRun, message: str) -> None:
    DRIRun.objects.filter(pk=run.pk).update(error=message[:500], finished_at=timezone.now())
