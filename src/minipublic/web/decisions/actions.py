"""Every change to themes, recommendations, amendments, ballots, votes, minority statements
and the foreword.

Same contract as :mod:`minipublic.web.assemblies.actions`: ``do_*`` runs in
one transaction and writes one audit line per change; ``check_*`` validates
(raising :class:`~django.core.exceptions.ValidationError` with per-field
messages) and then calls ``do_*``.

Secrecy rules kept here (see :mod:`minipublic.web.decisions.models`): no audit
line carries a vote's value or receipt together with a member; a member's
vote is found only through :func:`voting_token`, which needs the ballot's salt,
erased at close.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from minipublic.web.assemblies.audit import record_event
from minipublic.web.assemblies.models import Assembly
from minipublic.web.decisions.models import (
    Amendment,
    AmendmentStatus,
    Ballot,
    BallotStatus,
    Foreword,
    MinoritySignature,
    MinorityStatement,
    Outcome,
    PaperEntry,
    Recommendation,
    RecommendationVersion,
    Theme,
    Vote,
    VoterRegister,
    VoteSource,
)
from minipublic.web.decisions.tally import BallotResult, BallotRule, RuleError, count_votes
from minipublic.web.people.models import Participant

# Receipt codes are read aloud and typed: no 0/O/1/I/L.
_RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _text(value: str) -> str:
    return (value or "").strip()


def _label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "email", None) or str(actor)


def _user(actor):
    from django.contrib.auth import get_user_model

    return actor if isinstance(actor, get_user_model()) else None


# --- themes and recommendations ----------------------------------------------


def check_create_theme(assembly: Assembly, *, title: str, description: str = "", acting_user):
    """Validate, then :func:`do_create_theme`."""
    if not _text(title):
        raise ValidationError({"title": _("Give the theme a title.")})
    return do_create_theme(
        assembly, title=_text(title), description=_text(description), acting_user=acting_user
    )


@transaction.atomic
def do_create_theme(assembly: Assembly, *, title: str, description: str, acting_user) -> Theme:
    """Add a theme at the end of the list; writes ``theme.created``."""
    last = assembly.themes.aggregate(m=Max("position"))["m"] or 0
    theme = Theme.objects.create(
        assembly=assembly, title=title, description=description, position=last + 1
    )
    record_event("theme.created", theme, actor=acting_user, assembly=assembly, new={"title": title})
    return theme


def check_draft_recommendation(
    assembly: Assembly, *, theme: Theme | None, title: str, text: str, drafted_by: str, acting_user
) -> Recommendation:
    """Validate, then :func:`do_draft_recommendation`."""
    errors = {}
    if not _text(title):
        errors["title"] = _("Give the recommendation a short title.")
    if not _text(text):
        errors["text"] = _("Write the recommendation's text.")
    if not _text(drafted_by):
        errors["drafted_by"] = _("Say which table or group drafted it.")
    if theme is not None and theme.assembly_id != assembly.pk:
        errors["theme"] = _("Choose a theme of this assembly.")
    if errors:
        raise ValidationError(errors)
    return do_draft_recommendation(
        assembly,
        theme=theme,
        title=_text(title),
        text=_text(text),
        drafted_by=_text(drafted_by),
        acting_user=acting_user,
    )


@transaction.atomic
def do_draft_recommendation(
    assembly: Assembly,
    *,
    theme: Theme | None,
    title: str,
    text: str,
    drafted_by: str,
    acting_user,
    promoted_from: Amendment | None = None,
) -> Recommendation:
    """Add a recommendation with the next number and its version 1; writes ``recommendation.drafted``."""
    # Lock the assembly so two drafts at once do not take the same number.
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    number = (assembly.recommendations.aggregate(m=Max("number"))["m"] or 0) + 1
    rec = Recommendation.objects.create(
        assembly=assembly,
        theme=theme,
        number=number,
        title=title,
        text=text,
        drafted_by=drafted_by,
        promoted_from=promoted_from,
    )
    RecommendationVersion.objects.create(
        recommendation=rec,
        number=1,
        title=title,
        text=text,
        author=_user(acting_user),
        author_label=_label(acting_user),
        note=_("First draft by %(who)s") % {"who": drafted_by},
    )
    record_event(
        "recommendation.drafted",
        rec,
        actor=acting_user,
        assembly=assembly,
        new={"number": number, "title": title, "drafted_by": drafted_by},
    )
    return rec


def _editable(rec: Recommendation) -> bool:
    return not rec.ballots.exclude(status=BallotStatus.DRAFT).exists()


def check_revise_recommendation(
    rec: Recommendation, *, title: str, text: str, note: str, theme=None, acting_user
) -> RecommendationVersion:
    """Validate, then :func:`do_revise_recommendation` (refused once a ballot has opened)."""
    errors = {}
    if not _editable(rec):
        errors["__all__"] = _("The text cannot change once its ballot has opened.")
    if not _text(title):
        errors["title"] = _("Give the recommendation a short title.")
    if not _text(text):
        errors["text"] = _("Write the recommendation's text.")
    if not _text(note):
        errors["note"] = _("Say briefly what changed and why.")
    if theme is not None and theme.assembly_id != rec.assembly_id:
        errors["theme"] = _("Choose a theme of this assembly.")
    if errors:
        raise ValidationError(errors)
    if _text(title) == rec.title and _text(text) == rec.text and theme == rec.theme:
        raise ValidationError({"text": _("Nothing has changed.")})
    return do_revise_recommendation(
        rec,
        title=_text(title),
        text=_text(text),
        note=_text(note),
        theme=theme,
        acting_user=acting_user,
    )


@transaction.atomic
def do_revise_recommendation(
    rec: Recommendation,
    *,
    title: str,
    text: str,
    note: str,
    acting_user,
    theme=None,
    amendment: Amendment | None = None,
) -> RecommendationVersion:
    """Store a new version and make it current; writes ``recommendation.revised``."""
    rec = Recommendation.objects.select_for_update().get(pk=rec.pk)
    number = (rec.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = RecommendationVersion.objects.create(
        recommendation=rec,
        number=number,
        title=title,
        text=text,
        author=_user(acting_user),
        author_label=_label(acting_user),
        note=note,
        amendment=amendment,
    )
    old = {"version": number - 1, "title": rec.title, "theme": rec.theme_id}
    rec.title, rec.text = title, text
    if theme is not None:
        rec.theme = theme
    rec.save(update_fields=["title", "text", "theme", "updated_at"])
    record_event(
        "recommendation.revised",
        rec,
        actor=acting_user,
        assembly=rec.assembly,
        old=old,
        new={"version": number, "title": title, "theme": rec.theme_id, "note": note},
    )
    return version


@transaction.atomic
def do_set_amendments_open(rec: Recommendation, *, is_open: bool, acting_user) -> Recommendation:
    """Open or close amendments on one recommendation; writes ``amendments.opened/closed``."""
    if rec.amendments_open == is_open:
        return rec
    rec.amendments_open = is_open
    rec.save(update_fields=["amendments_open", "updated_at"])
    record_event(
        "amendments.opened" if is_open else "amendments.closed",
        rec,
        actor=acting_user,
        assembly=rec.assembly,
        old={"amendments_open": not is_open},
        new={"amendments_open": is_open},
    )
    return rec


def do_close_all_amendments(assembly: Assembly, *, acting_user) -> int:
    """Close amendments on every recommendation of *assembly*; returns how many changed."""
    changed = 0
    with transaction.atomic():
        for rec in assembly.recommendations.filter(amendments_open=True):
            do_set_amendments_open(rec, is_open=False, acting_user=acting_user)
            changed += 1
    return changed


# --- amendments ----------------------------------------------------------------


def check_propose_amendment(
    rec: Recommendation, *, text: str, reason: str, proposer: Participant | None, acting_user=None
) -> Amendment:
    """Validate, then :func:`do_propose_amendment`.

    *proposer* is the member (or ``None`` when staff type in an amendment a
    table handed in on paper: then *acting_user* is recorded).
    """
    errors = {}
    if not rec.amendments_open or not _editable(rec):
        errors["__all__"] = _("Amendments to this recommendation are closed.")
    if proposer is not None and (proposer.assembly_id != rec.assembly_id or not proposer.is_active):
        errors["__all__"] = _("Only members of this assembly can propose amendments.")
    if not _text(text):
        errors["text"] = _("Write the text you propose.")
    elif _text(text) == rec.text:
        errors["text"] = _("The proposed text is the same as the current text.")
    if not _text(reason):
        errors["reason"] = _("Say why you propose this change.")
    if errors:
        raise ValidationError(errors)
    return do_propose_amendment(
        rec, text=_text(text), reason=_text(reason), proposer=proposer, acting_user=acting_user
    )


@transaction.atomic
def do_propose_amendment(
    rec: Recommendation, *, text: str, reason: str, proposer: Participant | None, acting_user=None
) -> Amendment:
    """Store a proposed amendment; writes ``amendment.proposed``."""
    version = rec.versions.aggregate(m=Max("number"))["m"] or 1
    amendment = Amendment.objects.create(
        recommendation=rec,
        proposer=proposer,
        proposer_label=str(proposer) if proposer is not None else _label(acting_user),
        text=text,
        reason=reason,
        based_on_version=version,
    )
    record_event(
        "amendment.proposed",
        amendment,
        actor=proposer if proposer is not None else acting_user,
        assembly=rec.assembly,
        new={"recommendation": rec.number, "based_on_version": version},
    )
    return amendment


DECISIONS = ("accept", "merge", "reject")


def check_decide_amendment(
    amendment: Amendment, *, decision: str, reason: str, merged_text: str = "", acting_user
) -> Amendment:
    """Validate, then :func:`do_decide_amendment`.

    ``accept`` makes the amendment's text the new version; ``merge`` makes
    *merged_text* (the amendment worked into the current text) the new
    version; ``reject`` keeps the text. Every decision needs a reason.
    """
    errors = {}
    rec = amendment.recommendation
    if amendment.status != AmendmentStatus.PROPOSED:
        errors["__all__"] = _("This amendment has already been decided.")
    elif decision in ("accept", "merge") and not _editable(rec):
        errors["__all__"] = _("The text cannot change once its ballot has opened.")
    if decision not in DECISIONS:
        errors["decision"] = _("Choose accept, merge or reject.")
    if not _text(reason):
        errors["reason"] = _("Give the reason for the decision; it is shown to members.")
    if decision == "merge" and not _text(merged_text):
        errors["merged_text"] = _("Write the merged text.")
    if errors:
        raise ValidationError(errors)
    return do_decide_amendment(
        amendment,
        decision=decision,
        reason=_text(reason),
        merged_text=_text(merged_text),
        acting_user=acting_user,
    )


@transaction.atomic
def do_decide_amendment(
    amendment: Amendment, *, decision: str, reason: str, merged_text: str, acting_user
) -> Amendment:
    """Record the decision (and the new version); writes ``amendment.decided``."""
    status = {
        "accept": AmendmentStatus.ACCEPTED,
        "merge": AmendmentStatus.MERGED,
        "reject": AmendmentStatus.REJECTED,
    }[decision]
    amendment.status = status
    amendment.decided_by = _user(acting_user)
    amendment.decision_reason = reason
    amendment.decided_at = timezone.now()
    amendment.save(update_fields=["status", "decided_by", "decision_reason", "decided_at"])
    rec = amendment.recommendation
    if decision in ("accept", "merge"):
        do_revise_recommendation(
            rec,
            title=rec.title,
            text=amendment.text if decision == "accept" else merged_text,
            note=(
                _("Amendment %(id)s accepted: %(reason)s")
                if decision == "accept"
                else _("Amendment %(id)s merged: %(reason)s")
            )
            % {"id": amendment.pk, "reason": reason},
            acting_user=acting_user,
            amendment=amendment,
        )
    record_event(
        "amendment.decided",
        amendment,
        actor=acting_user,
        assembly=rec.assembly,
        old={"status": AmendmentStatus.PROPOSED},
        new={"status": status, "reason": reason},
    )
    return amendment


def check_promote_amendment(
    amendment: Amendment, *, reason: str, title: str = "", acting_user
) -> Recommendation:
    """Validate, then :func:`do_promote_amendment` (rejected amendments only)."""
    errors = {}
    if amendment.status != AmendmentStatus.REJECTED:
        errors["__all__"] = _("Only a rejected amendment can be promoted.")
    if not _text(reason):
        errors["reason"] = _("Give the reason for promoting it.")
    if errors:
        raise ValidationError(errors)
    return do_promote_amendment(
        amendment, reason=_text(reason), title=_text(title), acting_user=acting_user
    )


@transaction.atomic
def do_promote_amendment(
    amendment: Amendment, *, reason: str, title: str = "", acting_user
) -> Recommendation:
    """Make a rejected amendment a recommendation of its own; writes ``amendment.promoted``."""
    rec = amendment.recommendation
    new = do_draft_recommendation(
        rec.assembly,
        theme=rec.theme,
        title=title or _("Alternative to recommendation %(n)s") % {"n": rec.number},
        text=amendment.text,
        drafted_by=_("Amendment by %(who)s") % {"who": amendment.proposer_label},
        acting_user=acting_user,
        promoted_from=amendment,
    )
    old_status = amendment.status
    amendment.status = AmendmentStatus.PROMOTED
    amendment.decision_reason = f"{amendment.decision_reason}\n{reason}".strip()
    amendment.save(update_fields=["status", "decision_reason"])
    record_event(
        "amendment.promoted",
        amendment,
        actor=acting_user,
        assembly=rec.assembly,
        old={"status": old_status},
        new={"status": AmendmentStatus.PROMOTED, "recommendation": new.number, "reason": reason},
    )
    return new


# --- ballots: preparing, sealing, opening, closing ---------------------------


def _rule_or_errors(rule: dict, assembly: Assembly, ballot: Ballot | None) -> BallotRule:
    try:
        parsed = BallotRule.from_dict(rule)
    except RuleError as exc:
        field, _sep, message = str(exc).partition(": ")
        raise ValidationError({field if message else "__all__": message or str(exc)}) from None
    if parsed.opens_if_ballot is not None:
        other = Ballot.objects.filter(pk=parsed.opens_if_ballot, assembly=assembly).first()
        if other is None or (ballot is not None and other.pk == ballot.pk):
            raise ValidationError({"opens_if_ballot": _("Choose another ballot of this assembly.")})
    return parsed


def check_prepare_ballot(recommendation: Recommendation, *, rule: dict, acting_user) -> Ballot:
    """Validate the rule, then :func:`do_prepare_ballot`."""
    if recommendation.ballots.exclude(status=BallotStatus.SKIPPED).exists():
        raise ValidationError({"recommendation": _("This recommendation already has a ballot.")})
    parsed = _rule_or_errors(rule, recommendation.assembly, None)
    return do_prepare_ballot(recommendation, rule=parsed, acting_user=acting_user)


@transaction.atomic
def do_prepare_ballot(recommendation: Recommendation, *, rule: BallotRule, acting_user) -> Ballot:
    """Create a ballot being prepared (rule still editable); writes ``ballot.prepared``."""
    ballot = Ballot.objects.create(
        assembly=recommendation.assembly, recommendation=recommendation, rule=rule.to_dict()
    )
    record_event(
        "ballot.prepared",
        ballot,
        actor=acting_user,
        assembly=ballot.assembly,
        new={"recommendation": recommendation.number, "rule": rule.to_dict()},
    )
    return ballot


def check_set_rule(ballot: Ballot, *, rule: dict, acting_user) -> Ballot:
    """Change the rule of a ballot being prepared.

    Once the ballot has opened the rule is sealed: the attempt is refused and
    the refusal itself is written to the audit log (``ballot.rule_change_refused``),
    in its own transaction so that it stays even though nothing else is saved.
    """
    if ballot.is_sealed or ballot.status != BallotStatus.DRAFT:
        with transaction.atomic():
            record_event(
                "ballot.rule_change_refused",
                ballot,
                actor=acting_user,
                assembly=ballot.assembly,
                old={"rule_sha256": ballot.rule_sha256},
                new={"attempted_rule": rule},
            )
        raise ValidationError(
            {"__all__": _("The rule is sealed: it was fixed when voting opened and cannot change.")}
        )
    parsed = _rule_or_errors(rule, ballot.assembly, ballot)
    return do_set_rule(ballot, rule=parsed, acting_user=acting_user)


@transaction.atomic
def do_set_rule(ballot: Ballot, *, rule: BallotRule, acting_user) -> Ballot:
    """Store a new rule on a ballot being prepared; writes ``ballot.rule_changed``."""
    old = ballot.rule
    ballot.rule = rule.to_dict()
    ballot.save(update_fields=["rule"])
    record_event(
        "ballot.rule_changed",
        ballot,
        actor=acting_user,
        assembly=ballot.assembly,
        old={"rule": old},
        new={"rule": ballot.rule},
    )
    return ballot


def condition_state(ballot: Ballot) -> str:
    """``"none"``, ``"waiting"`` (earlier ballot not closed), ``"met"`` or ``"not_met"``."""
    rule = BallotRule.from_dict(ballot.rule)
    if rule.opens_if_ballot is None:
        return "none"
    other = Ballot.objects.filter(pk=rule.opens_if_ballot).first()
    if other is None or other.status != BallotStatus.CLOSED or not other.result:
        return "waiting"
    outcome = "adopted" if other.result["adopted"] else "not_adopted"
    return "met" if outcome == rule.opens_if_outcome else "not_met"


def check_open_ballot(ballot: Ballot, *, acting_user, at: dt.datetime | None = None) -> Ballot:
    """Validate, then :func:`do_open_ballot`."""
    if ballot.status != BallotStatus.DRAFT:
        raise ValidationError({"__all__": _("This ballot is not being prepared any more.")})
    state = condition_state(ballot)
    if state == "waiting":
        raise ValidationError(
            {"__all__": _("This is a staged ballot: the ballot it depends on has not closed yet.")}
        )
    if state == "not_met":
        raise ValidationError(
            {"__all__": _("This staged ballot's condition was not met, so it is not held.")}
        )
    _rule_or_errors(ballot.rule, ballot.assembly, ballot)
    return do_open_ballot(ballot, acting_user=acting_user, at=at)


@transaction.atomic
def do_open_ballot(ballot: Ballot, *, acting_user, at: dt.datetime | None = None) -> Ballot:
    """Seal the rule (store its SHA-256), fix the text voted on, open voting; closes amendments.

    Writes ``ballot.opened`` with the rule and its fingerprint.
    """
    rule = BallotRule.from_dict(ballot.rule)
    rec = ballot.recommendation
    ballot.rule = rule.to_dict()
    ballot.rule_sha256 = rule.sha256()
    ballot.voted_text = rec.text
    ballot.voted_version = rec.versions.aggregate(m=Max("number"))["m"]
    ballot.status = BallotStatus.OPEN
    ballot.opened_at = at or timezone.now()
    ballot.save()
    do_set_amendments_open(rec, is_open=False, acting_user=acting_user)
    record_event(
        "ballot.opened",
        ballot,
        actor=acting_user,
        assembly=ballot.assembly,
        old={"status": BallotStatus.DRAFT},
        new={
            "status": BallotStatus.OPEN,
            "rule": ballot.rule,
            "rule_canonical_json": rule.canonical_json(),
            "rule_sha256": ballot.rule_sha256,
            "recommendation": rec.number,
            "version": ballot.voted_version,
        },
    )
    return ballot


def electorate_of(ballot: Ballot) -> int:
    """Members entitled to vote: active members, plus anyone in the register who has since left."""
    active = set(
        Participant.objects.filter(assembly=ballot.assembly, is_active=True).values_list(
            "pk", flat=True
        )
    )
    registered = set(ballot.register.values_list("participant_id", flat=True))
    return len(active | registered)


def paper_status(ballot: Ballot) -> list[dict]:
    """One row per paper serial: its entries and ``state``.

    ``matched`` (two different staff typed the same value; it counts),
    ``mismatch`` (they typed different values; it does not count until one
    of them corrects their entry) or ``waiting`` (one entry so far).
    """
    rows: dict[str, list[PaperEntry]] = {}
    for entry in ballot.paper_entries.select_related("entered_by").order_by("serial", "pk"):
        rows.setdefault(entry.serial, []).append(entry)
    out = []
    for serial, entries in rows.items():
        values = {e.value for e in entries}
        if len(entries) < 2:
            state = "waiting"
        elif len(values) == 1:
            state = "matched"
        else:
            state = "mismatch"
        out.append(
            {
                "serial": serial,
                "entries": entries,
                "state": state,
                "value": entries[0].value if state == "matched" else None,
            }
        )
    return out


def tally_of(ballot: Ballot) -> BallotResult:
    """Count the ballot's votes now (online votes plus matched paper ballots)."""
    rule = BallotRule.from_dict(ballot.rule)
    values = list(ballot.votes.values_list("value", flat=True))
    if ballot.status == BallotStatus.OPEN:
        values += [row["value"] for row in paper_status(ballot) if row["state"] == "matched"]
    return count_votes(rule, values, electorate=electorate_of(ballot))


def check_close_ballot(ballot: Ballot, *, acting_user, at: dt.datetime | None = None) -> Ballot:
    """Validate, then :func:`do_close_ballot`."""
    if ballot.status != BallotStatus.OPEN:
        raise ValidationError({"__all__": _("Only an open ballot can be closed.")})
    paper_votes = sum(1 for r in paper_status(ballot) if r["state"] == "matched")
    paper_voters = ballot.register.filter(source=VoteSource.PAPER).count()
    if paper_votes > paper_voters:
        raise ValidationError(
            {
                "__all__": _(
                    "%(votes)s paper ballots were entered but only %(voters)s members were "
                    "given a paper ballot. Check the paper entries before closing."
                )
                % {"votes": paper_votes, "voters": paper_voters}
            }
        )
    return do_close_ballot(ballot, acting_user=acting_user, at=at)


@transaction.atomic
def do_close_ballot(ballot: Ballot, *, acting_user, at: dt.datetime | None = None) -> Ballot:
    """Close voting, count under the sealed rule, publish, and forget who voted what.

    Matched paper ballots become votes with the receipt ``PAPER-<serial>``.
    The votes are then rewritten in receipt order with their token hashes
    erased, and the ballot's salt is erased: after this nobody can recompute a
    member's voting token, and the rows' physical order says nothing about
    when anyone voted. Sets the recommendation's ``outcome``. Staged ballots
    waiting on this one whose condition is not met are marked skipped.
    Writes ``ballot.closed`` with the count.
    """
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    status = paper_status(ballot)
    for row in status:
        if row["state"] == "matched":
            Vote.objects.create(
                ballot=ballot,
                value=row["value"],
                receipt=f"PAPER-{row['serial']}"[:20],
                source=VoteSource.PAPER,
            )
    kept = sorted(ballot.votes.values_list("receipt", "value", "source"))
    ballot.votes.all().delete()
    Vote.objects.bulk_create(
        [Vote(ballot=ballot, receipt=r, value=v, source=s) for r, v, s in kept]
    )
    rule = BallotRule.from_dict(ballot.rule)
    result = count_votes(rule, [v for _r, v, _s in kept], electorate=electorate_of(ballot))
    data = result.to_dict()
    data["paper_counted"] = sum(1 for r in status if r["state"] == "matched")
    data["paper_not_counted"] = sum(1 for r in status if r["state"] != "matched")
    ballot.result = data
    ballot.electorate = result.electorate
    ballot.status = BallotStatus.CLOSED
    ballot.closed_at = at or timezone.now()
    ballot.token_salt = ""
    ballot.save()
    rec = ballot.recommendation
    old_outcome = rec.outcome
    rec.outcome = Outcome.ADOPTED if result.adopted else Outcome.NOT_ADOPTED
    rec.save(update_fields=["outcome", "updated_at"])
    record_event(
        "ballot.closed",
        ballot,
        actor=acting_user,
        assembly=ballot.assembly,
        old={"status": BallotStatus.OPEN, "outcome": old_outcome},
        new={
            "status": BallotStatus.CLOSED,
            "outcome": rec.outcome,
            "rule_sha256": ballot.rule_sha256,
            "distribution": data["distribution"],
            "votes": data["votes"],
            "electorate": data["electorate"],
            "adopted": data["adopted"],
        },
    )
    for staged in Ballot.objects.filter(assembly=ballot.assembly, status=BallotStatus.DRAFT):
        if staged.rule.get("opens_if_ballot") == ballot.pk and condition_state(staged) == "not_met":
            staged.status = BallotStatus.SKIPPED
            staged.save(update_fields=["status"])
            record_event(
                "ballot.skipped",
                staged,
                actor=acting_user,
                assembly=ballot.assembly,
                old={"status": BallotStatus.DRAFT},
                new={"status": BallotStatus.SKIPPED, "because_of_ballot": ballot.pk},
            )
    return ballot


# --- voting --------------------------------------------------------------------


def _token_key() -> bytes:
    return hashlib.sha256(
        b"minipublic.decisions.voting-token:" + settings.SECRET_KEY.encode()
    ).digest()


def voting_token(ballot: Ballot, participant: Participant) -> str | None:
    """The member's secret token for *ballot*, or ``None`` once the salt is erased (closed).

    ``HMAC-SHA256(key, "ballot id:salt:participant id")`` with a key derived
    from the site's secret. Only its SHA-256 is stored, on the vote row.
    """
    if not ballot.token_salt:
        return None
    message = f"{ballot.pk}:{ballot.token_salt}:{participant.pk}".encode()
    return hmac.new(_token_key(), message, hashlib.sha256).hexdigest()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def new_receipt() -> str:
    """A receipt code such as ``R-7F3K-Q2MX``."""
    chars = [secrets.choice(_RECEIPT_ALPHABET) for _ in range(8)]
    return "R-" + "".join(chars[:4]) + "-" + "".join(chars[4:])


def my_vote(ballot: Ballot, participant: Participant) -> Vote | None:
    """The member's own online vote while the ballot is open (for their eyes only)."""
    token = voting_token(ballot, participant)
    if token is None:
        return None
    return Vote.objects.filter(ballot=ballot, token_hash=_token_hash(token)).first()


def check_cast_vote(ballot: Ballot, *, participant: Participant, value) -> Vote:
    """Validate, then :func:`do_cast_vote`."""
    errors = {}
    if ballot.status != BallotStatus.OPEN:
        errors["__all__"] = _("This ballot is not open for voting.")
    elif participant.assembly_id != ballot.assembly_id or not participant.is_active:
        errors["__all__"] = _("Only members of this assembly can vote.")
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value not in BallotRule.from_dict(ballot.rule).scale_obj.values:
        errors["value"] = _("Choose one of the points of the scale.")
    if errors:
        raise ValidationError(errors)
    for _attempt in range(3):
        try:
            return do_cast_vote(ballot, participant=participant, value=value)
        except IntegrityError:
            # The same member voting twice at the same instant: the other
            # request created the row first; go round again and update it.
            continue
    raise ValidationError({"__all__": _("Your vote could not be saved. Please try again.")})


@transaction.atomic
def do_cast_vote(ballot: Ballot, *, participant: Participant, value: int) -> Vote:
    """Store or change the member's vote; writes ``ballot.vote_recorded`` (without the value).

    Holds the ballot's row lock, so a vote and the close never interleave.
    """
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if ballot.status != BallotStatus.OPEN:
        raise ValidationError({"__all__": _("This ballot is not open for voting.")})
    register = VoterRegister.objects.filter(ballot=ballot, participant=participant).first()
    if register is not None and register.source == VoteSource.PAPER:
        raise ValidationError(
            {"__all__": _("You were given a paper ballot for this vote, so you vote on paper.")}
        )
    token_hash = _token_hash(voting_token(ballot, participant))
    vote = Vote.objects.filter(ballot=ballot, token_hash=token_hash).first()
    changed = vote is not None
    if vote is None:
        while True:
            receipt = new_receipt()
            if not Vote.objects.filter(ballot=ballot, receipt=receipt).exists():
                break
        vote = Vote.objects.create(
            ballot=ballot, value=value, receipt=receipt, token_hash=token_hash
        )
    else:
        vote.value = value
        vote.save(update_fields=["value"])
    if register is None:
        VoterRegister.objects.create(ballot=ballot, participant=participant)
    # The audit line says that the member voted (as the register does), never how.
    record_event(
        "ballot.vote_recorded",
        ballot,
        actor=participant,
        assembly=ballot.assembly,
        new={"changed": changed},
    )
    return vote


def check_give_paper_ballot(ballot: Ballot, *, participant: Participant, acting_user):
    """Validate, then :func:`do_give_paper_ballot`."""
    errors = {}
    if ballot.status != BallotStatus.OPEN:
        errors["__all__"] = _("This ballot is not open for voting.")
    elif participant.assembly_id != ballot.assembly_id or not participant.is_active:
        errors["participant"] = _("Choose a member of this assembly.")
    elif ballot.register.filter(participant=participant).exists():
        errors["participant"] = _("This member has already voted or has a paper ballot.")
    if errors:
        raise ValidationError(errors)
    return do_give_paper_ballot(ballot, participant=participant, acting_user=acting_user)


@transaction.atomic
def do_give_paper_ballot(ballot: Ballot, *, participant: Participant, acting_user):
    """Mark in the register that *participant* votes on paper; writes ``ballot.paper_given``.

    The paper handed over carries a pre-printed serial that is *not*
    recorded against the member, so the paper vote stays secret.
    """
    row = VoterRegister.objects.create(
        ballot=ballot, participant=participant, source=VoteSource.PAPER
    )
    record_event(
        "ballot.paper_given",
        ballot,
        actor=acting_user,
        assembly=ballot.assembly,
        new={"member": participant.pseudonym},
    )
    return row


def check_enter_paper_ballot(ballot: Ballot, *, serial: str, value, acting_user) -> PaperEntry:
    """Validate, then :func:`do_enter_paper_ballot`."""
    errors = {}
    serial = _text(serial).upper()
    if ballot.status != BallotStatus.OPEN:
        errors["__all__"] = _("Paper ballots are entered while the ballot is open.")
    if not serial or len(serial) > 14 or not serial.replace("-", "").isalnum():
        errors["serial"] = _("Type the serial number printed on the paper (letters and digits).")
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value not in BallotRule.from_dict(ballot.rule).scale_obj.values:
        errors["value"] = _("Choose the point marked on the paper.")
    if errors:
        raise ValidationError(errors)
    return do_enter_paper_ballot(ballot, serial=serial, value=value, acting_user=acting_user)


@transaction.atomic
def do_enter_paper_ballot(ballot: Ballot, *, serial: str, value: int, acting_user) -> PaperEntry:
    """Store (or correct) this staff member's entry of one paper ballot.

    Writes ``ballot.paper_entered``. A paper ballot is not linked to any
    member, so its value may appear in the audit line.
    """
    entry, created = PaperEntry.objects.get_or_create(
        ballot=ballot, serial=serial, entered_by=acting_user, defaults={"value": value}
    )
    old = None
    if not created:
        old = {"value": entry.value}
        entry.value = value
        entry.save(update_fields=["value", "entered_at"])
    record_event(
        "ballot.paper_entered",
        ballot,
        actor=acting_user,
        assembly=ballot.assembly,
        old=old,
        new={"serial": serial, "value": value},
    )
    return entry


def find_receipt(assembly: Assembly, receipt: str) -> list[Vote]:
    """Votes of closed ballots of *assembly* with this receipt code (the public tally)."""
    code = _text(receipt).upper()
    if not code:
        return []
    return list(
        Vote.objects.filter(
            ballot__assembly=assembly, ballot__status=BallotStatus.CLOSED, receipt=code
        ).select_related("ballot__recommendation")
    )


# --- minority statements and the foreword -------------------------------------


def statements_open(rec: Recommendation) -> bool:
    """Minority statements can be written once the recommendation's ballot has closed."""
    return rec.ballots.filter(status=BallotStatus.CLOSED).exists()


def check_write_minority_statement(
    rec: Recommendation, *, participant: Participant, title: str, text: str
) -> MinorityStatement:
    """Validate, then :func:`do_write_minority_statement`.

    The site does not check how the author voted (it cannot, by design:
    see ``docs/decisions.md``); writing one is a public act of dissent.
    """
    errors = {}
    if not statements_open(rec):
        errors["__all__"] = _("Minority statements can be written once the ballot has closed.")
    elif participant.assembly_id != rec.assembly_id or not participant.is_active:
        errors["__all__"] = _("Only members of this assembly can write minority statements.")
    if not _text(title):
        errors["title"] = _("Give the statement a title.")
    if not _text(text):
        errors["text"] = _("Write the statement.")
    if errors:
        raise ValidationError(errors)
    return do_write_minority_statement(
        rec, participant=participant, title=_text(title), text=_text(text)
    )


@transaction.atomic
def do_write_minority_statement(
    rec: Recommendation, *, participant: Participant, title: str, text: str
) -> MinorityStatement:
    """Publish a minority statement signed by its author; writes ``minority_statement.published``."""
    statement = MinorityStatement.objects.create(recommendation=rec, title=title, text=text)
    MinoritySignature.objects.create(statement=statement, participant=participant, is_author=True)
    record_event(
        "minority_statement.published",
        statement,
        actor=participant,
        assembly=rec.assembly,
        new={"recommendation": rec.number, "title": title},
    )
    return statement


def check_sign_minority_statement(
    statement: MinorityStatement, *, participant: Participant
) -> MinoritySignature:
    """Validate, then :func:`do_sign_minority_statement`."""
    rec = statement.recommendation
    if participant.assembly_id != rec.assembly_id or not participant.is_active:
        raise ValidationError({"__all__": _("Only members of this assembly can sign.")})
    if statement.signatures.filter(participant=participant).exists():
        raise ValidationError({"__all__": _("You have already signed this statement.")})
    return do_sign_minority_statement(statement, participant=participant)


@transaction.atomic
def do_sign_minority_statement(
    statement: MinorityStatement, *, participant: Participant
) -> MinoritySignature:
    """Add the member's signature; writes ``minority_statement.signed``."""
    signature = MinoritySignature.objects.create(statement=statement, participant=participant)
    record_event(
        "minority_statement.signed",
        statement,
        actor=participant,
        assembly=statement.recommendation.assembly,
        new={"signatures": statement.signatures.count()},
    )
    return signature


def check_save_foreword(assembly: Assembly, *, text: str, signed_as: str, acting_user) -> Foreword:
    """Validate, then :func:`do_save_foreword`."""
    if not _text(text):
        raise ValidationError({"text": _("Write the foreword the members agreed.")})
    return do_save_foreword(
        assembly, text=_text(text), signed_as=_text(signed_as), acting_user=acting_user
    )


@transaction.atomic
def do_save_foreword(assembly: Assembly, *, text: str, signed_as: str, acting_user) -> Foreword:
    """Store the members' foreword; writes ``foreword.saved`` (old and new text)."""
    foreword = Foreword.objects.filter(assembly=assembly).first()
    old = None
    if foreword is None:
        foreword = Foreword.objects.create(assembly=assembly, text=text, signed_as=signed_as)
    else:
        old = {"text": foreword.text, "signed_as": foreword.signed_as}
        foreword.text, foreword.signed_as = text, signed_as
        foreword.save()
    record_event(
        "foreword.saved",
        foreword,
        actor=acting_user,
        assembly=assembly,
        old=old,
        new={"text": text, "signed_as": signed_as},
    )
    return foreword


def open_ballots_for(participant: Participant):
    """Open ballots of the member's assembly."""
    return Ballot.objects.filter(
        assembly_id=participant.assembly_id, status=BallotStatus.OPEN
    ).select_related("recommendation")
