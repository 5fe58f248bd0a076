"""Demo loader of the ``decisions`` app: a full report on first run.

Three themes, eight recommendations drafted by tables, amendments (accepted,
merged, rejected, one rejected and promoted to a recommendation of its own,
one still waiting), seven ballots run and closed through the actions (recorded
as held a few weeks ago): some adopted, some not, one staged ballot held
because the ballot it depended on failed and one skipped because its
condition was not met; two paper ballots typed by two staff (one typing
mistake caught and corrected), two minority statements with co-signers, and
the members' foreword.

Votes are cast by the demo's active members with values from a fixed profile
per ballot (largest-remainder rounding of the profile to the number of
voters), so with more members the distributions keep their shape.
"""

import datetime as dt

from django.utils import timezone

from minipublic.web.decisions import actions
from minipublic.web.decisions.tally import default_rule
from minipublic.web.demo import Demo
from minipublic.web.people.models import Participant

THEMES = [
    ("Homes and energy", "Warm homes, lower bills and clean heat."),
    ("Getting around", "Walking, cycling, buses and the town centre."),
    ("Food, land and community", "What we grow, eat and own together."),
]

# (key, theme index, title, text, drafted by)
RECS = [
    (
        "insulate",
        0,
        "Insulate every home by 2035",
        "The council and its partners should offer free insulation to every home in "
        "Aberwen by 2035, starting with the coldest homes and people on low incomes.",
        "Table 2",
    ),
    (
        "advice",
        0,
        "A free heat-pump advice service",
        "Set up a free, independent advice service on heat pumps and home energy, "
        "with visits at home in English and Welsh.",
        "Table 5",
    ),
    (
        "car_free",
        1,
        "A car-free town centre every Saturday",
        "Close the High Street and Market Square to cars every Saturday, with "
        "access kept for blue-badge holders, deliveries before 10am and buses.",
        "Table 1",
    ),
    (
        "buses",
        1,
        "Buses every 20 minutes to every ward",
        "Run buses at least every 20 minutes from 7am to 10pm between every ward "
        "and the town centre, paid for by a workplace parking levy.",
        "Drafting group",
    ),
    (
        "car_free_sundays",
        1,
        "Extend car-free days to Sundays",
        "If car-free Saturdays are adopted, extend them to Sundays from 2030.",
        "Table 1",
    ),
    (
        "school_food",
        2,
        "Local food in every school meal",
        "At least half of the food in school meals should come from farms within 50 miles by 2030.",
        "Table 4",
    ),
    (
        "coop",
        2,
        "A community energy co-operative",
        "Help residents set up a community-owned energy co-operative with solar "
        "panels on public buildings, and share its income with the wards.",
        "Table 3",
    ),
    (
        "repair",
        2,
        "Repair cafés in every ward",
        "Fund a monthly repair café in every ward, run with local volunteers.",
        "Table 6",
    ),
]

# Ballot profiles: share of voters per point, share of members who vote.
PROFILES = {
    "insulate": ("gradient5", [0.55, 0.33, 0.07, 0.05, 0.0], 1.0),
    "advice": ("gradient5", [0.35, 0.45, 0.12, 0.08, 0.0], 1.0),
    "car_free": ("gradient5", [0.30, 0.25, 0.10, 0.10, 0.25], 1.0),
    "car_free_monthly": ("gradient5", [0.40, 0.35, 0.15, 0.10, 0.0], 1.0),
    "buses": ("gradient8", [0.30, 0.20, 0.15, 0.10, 0.05, 0.15, 0.05, 0.0], 1.0),
    "school_food": ("gradient5", [0.45, 0.30, 0.10, 0.15, 0.0], 1.0),
    "coop": ("score10", [0, 0, 0.05, 0.10, 0.15, 0.15, 0.15, 0.20, 0.10, 0.10], 0.75),
}


def profile_values(profile: list[float], n: int) -> list[int]:
    """Round *profile* (shares per point 1..k) to *n* votes by largest remainder."""
    raw = [p * n for p in profile]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return [point for point, c in enumerate(counts, start=1) for _ in range(c)]


def _cast(demo: Demo, ballot, members, scale_profile, *, paper: dict | None = None) -> None:
    """Members vote (some change their mind once); *paper*: member name -> (serial, value)."""
    _scale, profile, turnout = scale_profile
    voters = list(members)
    demo.rng.shuffle(voters)
    voters = voters[: max(1, round(turnout * len(voters)))]
    values = profile_values(profile, len(voters))
    demo.rng.shuffle(values)
    organiser = demo.objects["user:organiser"]
    facilitator = demo.objects["user:facilitator"]
    paper = paper or {}
    for i, (member, value) in enumerate(zip(voters, values, strict=True)):
        name = member.first_name
        if name in paper:
            serial, _v = paper[name]
            actions.check_give_paper_ballot(ballot, participant=member, acting_user=organiser)
            paper[name] = (serial, value)
            continue
        if i % 3 == 0:
            # A first choice, changed later: only the last one counts.
            first = 1 + (value % len(profile))
            actions.check_cast_vote(ballot, participant=member, value=first)
        actions.check_cast_vote(ballot, participant=member, value=value)
    for serial, value in paper.values():
        if value is None:
            continue
        actions.check_enter_paper_ballot(ballot, serial=serial, value=value, acting_user=organiser)
        # The second typist first mistypes one paper, sees the mismatch, corrects it.
        if serial.endswith("47"):
            wrong = 1 + (value % len(profile))
            actions.check_enter_paper_ballot(
                ballot, serial=serial, value=wrong, acting_user=facilitator
            )
        actions.check_enter_paper_ballot(
            ballot, serial=serial, value=value, acting_user=facilitator
        )


def load(demo: Demo) -> None:
    assembly = demo.objects["assembly"]
    organiser = demo.objects["user:organiser"]
    members = list(
        Participant.objects.filter(assembly=assembly, is_active=True)
        .select_related("personal_details")
        .order_by("pk")
    )
    if not members:
        return
    by_name = {m.first_name: m for m in members}
    themes = [
        actions.check_create_theme(assembly, title=t, description=d, acting_user=organiser)
        for t, d in THEMES
    ]
    recs = {}
    for key, theme, title, text, who in RECS:
        recs[key] = actions.check_draft_recommendation(
            assembly,
            theme=themes[theme],
            title=title,
            text=text,
            drafted_by=who,
            acting_user=organiser,
        )

    megan, priya, tom = (by_name.get(n, members[0]) for n in ("Megan", "Priya", "Tom"))
    # Amendments: accepted, merged, rejected (then promoted), rejected, waiting.
    a = actions.check_propose_amendment(
        recs["insulate"],
        text=recs["insulate"].text.replace(
            "starting with the coldest homes", "starting with the coldest homes and rented homes"
        ),
        reason="Tenants cannot insulate homes they do not own.",
        proposer=megan,
    )
    actions.check_decide_amendment(
        a,
        decision="accept",
        reason="Agreed by the whole assembly at weekend 3.",
        acting_user=organiser,
    )
    a = actions.check_propose_amendment(
        recs["buses"],
        text=recs["buses"].text + " Fares should be capped at £2.",
        reason="Frequent buses are no use if people cannot afford them.",
        proposer=priya,
    )
    actions.check_decide_amendment(
        a,
        decision="merge",
        reason="Merged with the drafting group's wording on the levy.",
        merged_text=recs["buses"].text.replace(
            "paid for by a workplace parking levy.",
            "with fares capped at £2, paid for by a workplace parking levy.",
        ),
        acting_user=organiser,
    )
    a = actions.check_propose_amendment(
        recs["car_free"],
        text="Close the High Street and Market Square to cars on the first Saturday of "
        "each month, as a trial, with access kept for blue-badge holders and buses.",
        reason="Every Saturday is too much for the market traders to start with.",
        proposer=tom,
    )
    actions.check_decide_amendment(
        a,
        decision="reject",
        reason="Table 1 wants to keep its proposal as drafted; the two can be voted on in stages.",
        acting_user=organiser,
    )
    recs["car_free_monthly"] = actions.check_promote_amendment(
        a,
        reason="Put to a staged ballot if the Saturday proposal is not adopted.",
        title="A car-free town centre on the first Saturday of each month",
        acting_user=organiser,
    )
    a = actions.check_propose_amendment(
        recs["school_food"],
        text=recs["school_food"].text.replace("50 miles", "30 miles"),
        reason="Closer is better for Welsh farms.",
        proposer=megan,
    )
    actions.check_decide_amendment(
        a,
        decision="reject",
        reason="Suppliers within 30 miles could not meet demand.",
        acting_user=organiser,
    )
    actions.check_propose_amendment(
        recs["repair"],
        text=recs["repair"].text + " Schools should host them in the holidays.",
        reason="School halls are free in the holidays.",
        proposer=priya,
    )

    # Ballots, held a few weeks ago.
    now = timezone.now()
    held = now - dt.timedelta(days=24)
    ballots = {}
    for key in ("insulate", "advice", "car_free", "buses", "school_food", "coop"):
        scale = PROFILES[key][0]
        rule = default_rule(scale).to_dict()
        if scale == "gradient5":
            rule.update(support_percent="75")  # three quarters support
        if key == "car_free":
            # Majority with few blocks, instead of 80 %.
            rule.update(support_percent="50", max_strong_opposition_percent="20")
        ballots[key] = actions.check_prepare_ballot(recs[key], rule=rule, acting_user=organiser)
    staged_rule = {**default_rule("gradient5").to_dict(), "support_percent": "75"}
    ballots["car_free_monthly"] = actions.check_prepare_ballot(
        recs["car_free_monthly"],
        rule={
            **staged_rule,
            "opens_if_ballot": ballots["car_free"].pk,
            "opens_if_outcome": "not_adopted",
        },
        acting_user=organiser,
    )
    ballots["car_free_sundays"] = actions.check_prepare_ballot(
        recs["car_free_sundays"],
        rule={
            **staged_rule,
            "opens_if_ballot": ballots["car_free"].pk,
            "opens_if_outcome": "adopted",
        },
        acting_user=organiser,
    )
    order = ["insulate", "advice", "car_free", "buses", "school_food", "coop", "car_free_monthly"]
    for i, key in enumerate(order):
        ballot = ballots[key]
        if ballot.status != "draft":
            continue  # a staged ballot skipped by the close of the one it depends on
        opened = held + dt.timedelta(hours=2 * i)
        actions.check_open_ballot(ballot, acting_user=organiser, at=opened)
        ballot.refresh_from_db()
        paper = {"Dafydd": ("A0012", None), "Gwen": ("A0047", None)} if key == "insulate" else None
        _cast(demo, ballot, members, PROFILES[key], paper=paper)
        actions.check_close_ballot(ballot, acting_user=organiser, at=opened + dt.timedelta(hours=1))
    for key in ballots:
        ballots[key].refresh_from_db()

    # Minority statements: supporters of a rejected one, opponents of an adopted one.
    writers = [m for m in members if m.first_name in ("Aisha", "Sam", "Hannah")] or members[:3]
    car_free = recs["car_free"]
    car_free.refresh_from_db()
    st = actions.check_write_minority_statement(
        car_free,
        participant=writers[0],
        title="Car-free Saturdays would bring people back to the town centre",
        text="We supported closing the centre to cars every Saturday. Towns that did it "
        "saw more people shopping, not fewer. A monthly trial is a start, but we ask the "
        "council to plan for every Saturday and to report on the trial each year.",
    )
    for m in writers[1:2]:
        actions.check_sign_minority_statement(st, participant=m)
    school = recs["school_food"]
    st = actions.check_write_minority_statement(
        school,
        participant=writers[-1],
        title="Costs must not fall on families",
        text="We could not support this recommendation as written. Local food often "
        "costs more, and free school meals must not be cut to pay for it. We ask that "
        "the extra cost is met from the council's climate budget, not from school budgets.",
    )
    for m in [m for m in members if m.first_name in ("Tom",)]:
        actions.check_sign_minority_statement(st, participant=m)

    actions.check_save_foreword(
        assembly,
        text="We are people from every part of Aberwen, chosen by lottery. Most of us had "
        "never met. Over three weekends we heard from experts, campaigners, farmers, "
        "bus drivers and people struggling with their energy bills, and from each other.\n\n"
        "We did not always agree. Where most of us supported a recommendation, we say so; "
        "where some of us did not, our minority statements are printed beside it. We ask "
        "the council to answer every recommendation, and to tell us what it does next.",
        signed_as="The members of the Aberwen Climate Assembly",
        acting_user=organiser,
    )
    demo.objects["decisions:recommendations"] = recs
    demo.objects["decisions:ballots"] = ballots
    adopted = sum(1 for b in ballots.values() if b.result and b.result.get("adopted"))
    demo.notes.append(
        f"Decisions: {len(recs)} recommendations, {adopted} adopted; "
        f"results /a/{assembly.slug}/results/, report /a/{assembly.slug}/report/"
    )
