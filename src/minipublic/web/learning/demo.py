"""Demo loader of the ``learning`` app, built through its actions.

The demo assembly gets a past welcome session (so members have evidence to
rate and questions that were due), agendas and speakers for the three
planned weekends, a table plan for the next weekend (computed here, in the
loader, with a fixed seed), evidence from every kind of speaker with members'
ratings, questions with votes and answers, criteria for reliable information
with members' votes, and claims with answers. The other, private assembly
gets one session so tests can check that its objects stay hidden.

Members are the assembly's active participants. Ratings are drawn so that
members whose registration answer on trust in government was low (0-3) rate
lived experience higher and officials lower than other members; members
with no registration answers (the eight named demo members) count as
"trust not known".
"""

import datetime as dt

from django.utils import timezone

from minipublic.web.demo import Demo
from minipublic.web.learning import actions
from minipublic.web.learning.models import QuestionStatus
from minipublic.web.learning.tables import compute_plan

TABLE_SEED = 2040

SPEAKERS = [
    # key, name, role, kind, interests
    (
        "scientist",
        "Dr Siân Hughes",
        "Climate scientist, Aberwen University",
        "expert",
        "Research funded by UK Research and Innovation. No paid work for energy companies.",
    ),
    (
        "tenant",
        "Gareth Rees",
        "Tenant in a 1900s terrace with a heat pump",
        "lived",
        "None declared.",
    ),
    (
        "business",
        "Rhian Evans",
        "Aberwen Chamber of Commerce",
        "advocate",
        "Speaks for 140 local businesses, including two fuel suppliers.",
    ),
    (
        "council",
        "Mark Davies",
        "Net Zero team, Aberwen Town Council",
        "official",
        "Employed by the council that commissioned the assembly.",
    ),
    (
        "fuelpoverty",
        "Nadia Khan",
        "Fuel Poverty Action Cymru",
        "advocate",
        "The charity campaigns for lower energy bills and receives council grants.",
    ),
    (
        "farmer",
        "Iwan Roberts",
        "Hill farmer above Aberwen",
        "lived",
        "Receives a land-management grant for tree planting.",
    ),
]

# key, speaker, title, form, session index (0 = the past welcome session), summary, link
CONTRIBUTIONS = [
    (
        "basics",
        "scientist",
        "Net zero in ten minutes",
        "talk",
        0,
        "What net zero means, where Aberwen's emissions come from (homes 38 %, transport 31 %, "
        "farming 18 %), and what is certain and what is not.",
        "https://aberwen.example/evidence/net-zero-basics",
    ),
    (
        "tenant",
        "tenant",
        "Living with a heat pump in an old house",
        "testimony",
        0,
        "Two winters with a heat pump in a solid-wall terrace: the bills, the noise, the draughts "
        "and what he would do differently.",
        "",
    ),
    (
        "council",
        "council",
        "The council's carbon plan so far",
        "paper",
        0,
        "What the council has done since 2019, what it costs, and what it cannot do alone.",
        "https://aberwen.example/evidence/council-plan.pdf",
    ),
    (
        "business",
        "business",
        "What net zero means for small firms",
        "video",
        0,
        "Costs and chances for shops, garages and hauliers.",
        "https://aberwen.example/evidence/small-firms-video",
    ),
    (
        "bills",
        "fuelpoverty",
        "Who pays? Energy bills and fairness",
        "talk",
        1,
        "Which households spend most on energy, and how help can reach them.",
        "",
    ),
    (
        "land",
        "farmer",
        "Trees, sheep and carbon on the hill",
        "testimony",
        1,
        "What changes on a hill farm when land is used to store carbon.",
        "",
    ),
]

# Low-trust members rate lived experience up and officials down (the paper's finding).
BASE = {"expert": 3.8, "lived": 4.0, "advocate": 3.2, "official": 3.4}
LOW_TRUST_SHIFT = {"expert": -0.6, "lived": 0.5, "advocate": -0.2, "official": -1.2}

QUESTIONS = [
    # session index, speaker key or None, text, status, answer
    (
        0,
        "scientist",
        "How sure are scientists that Aberwen will flood more often?",
        QuestionStatus.IN_SESSION,
        "",
    ),
    (
        0,
        "tenant",
        "How much did the heat pump cost after the grant?",
        QuestionStatus.IN_WRITING,
        "£2,400 after the £7,500 Boiler Upgrade Scheme grant; the landlord paid for insulation.",
    ),
    (
        0,
        "council",
        "How much of the council's budget goes on climate now?",
        QuestionStatus.OPEN,
        "",
    ),
    (1, "fuelpoverty", "Would a heat pump raise my bills if I rent?", QuestionStatus.OPEN, ""),
    (1, None, "Can we hear from someone who runs a bus company?", QuestionStatus.OPEN, ""),
    (1, "farmer", "Does planting trees mean fewer farming jobs?", QuestionStatus.OPEN, ""),
]

CRITERIA = [
    "The sources are named",
    "Peer-reviewed research or official statistics",
    "The speaker's interests are declared",
    "More than one independent source agrees",
]

CLAIMS = [
    # text, heard_from, session index, flagged by ("member", name) or ("staff", role), answer
    (
        "Heat pumps don't work in old stone houses.",
        "a member at table 3",
        0,
        ("member", "Tom"),
        (
            "partly",
            "Heat pumps do work in old stone houses, but they work much better once the house is "
            "insulated and draughts are stopped. Without that, bills can go up.",
            "Energy Saving Trust, 'Heat pumps in older homes' (2024), "
            "https://energysavingtrust.example/heat-pumps-older-homes\n"
            "Electrification of Heat demonstration project, final report (2023), official "
            "statistics",
            [0, 1, 3],
        ),
    ),
    (
        "Wales produces more renewable electricity than it uses.",
        "Rhian Evans",
        0,
        ("staff", "facilitator"),
        (
            "not_supported",
            "In 2022 renewables in Wales produced a bit over half of the electricity Wales used, "
            "not more than all of it.",
            "Welsh Government, 'Energy Generation in Wales 2022' (official statistics), "
            "https://gov.wales.example/energy-generation-2022",
            [0, 1],
        ),
    ),
    (
        "Most of the town's emissions come from its homes.",
        "Dr Siân Hughes",
        0,
        ("member", "Priya"),
        (
            "supported",
            "Homes are the largest single source in Aberwen (38 %), though not more than half.",
            "Department for Energy Security and Net Zero, local authority greenhouse gas "
            "statistics 2022 (official statistics)",
            [0, 1],
        ),
    ),
    (
        "Electric cars produce more carbon over their life than petrol cars.",
        "",
        0,
        ("member", "Sam"),
        None,
    ),
]


def _band_of(bands: dict, participant) -> str:
    return bands.get(participant.pk, "unknown")


def load(demo: Demo) -> None:
    assembly = demo.objects["assembly"]
    organiser = demo.objects["user:organiser"]
    facilitator = demo.objects["user:facilitator"]
    rng = demo.rng
    members = list(actions.members_of(assembly).order_by("pk"))
    named = {
        p.first_name: p
        for p in actions.members_of(assembly).select_related("personal_details")
        if p.first_name
    }

    speakers = {
        key: actions.check_add_speaker(
            assembly, name=name, role=role, kind=kind, interests=interests, acting_user=organiser
        )
        for key, name, role, kind, interests in SPEAKERS
    }

    # Sessions: a past welcome session, then the three planned weekends.
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    start = dt.datetime.combine(today - dt.timedelta(days=11), dt.time(10, 0), tzinfo=tz)
    welcome = actions.check_create_session(
        assembly,
        title="Welcome day: how the assembly works",
        title_cy="Diwrnod croeso: sut mae’r cynulliad yn gweithio",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=5),
        place="Aberwen Community Hall, 12 High Street",
        place_cy="Neuadd Gymuned Aberwen, 12 Stryd Fawr",
        what_to_bring="Nothing. Lunch and travel costs are paid for.",
        agenda="10:00 Welcome and getting to know each other\n10:45 Net zero in ten minutes\n"
        "11:30 Living with a heat pump\n13:00 Lunch\n13:45 Questions to the speakers\n"
        "14:30 Agreeing our criteria for reliable information",
        speakers=[speakers[k].pk for k in ("scientist", "tenant", "council", "business")],
        acting_user=organiser,
    )
    weekends = [m for m in assembly.meetings.order_by("starts_at") if m.pk != welcome.pk]
    agendas = [
        (
            "10:00 Round 1 at your tables\n11:00 Who pays? Energy bills and fairness\n"
            "12:00 Trees, sheep and carbon\n13:00 Lunch\n13:45 Round 2 at new tables\n"
            "15:00 Questions to the speakers",
            ("fuelpoverty", "farmer", "scientist"),
        ),
        (
            "10:00 Homes, heat and bills: evidence\n12:00 Round 1 at your tables\n13:00 Lunch\n"
            "14:00 Round 2 at new tables",
            ("tenant", "council", "fuelpoverty"),
        ),
        (
            "10:00 Getting around town: evidence\n12:00 Table conversations\n13:00 Lunch",
            ("business", "council"),
        ),
    ]
    for meeting, (agenda, keys) in zip(weekends, agendas, strict=False):
        actions.do_save_session_plan(
            meeting, agenda=agenda, speakers=[speakers[k] for k in keys], acting_user=organiser
        )
    sessions = [welcome, *weekends]

    # Evidence and ratings (past session only: members rate after the session).
    contributions = {}
    for key, speaker_key, title, form, index, summary, link in CONTRIBUTIONS:
        contributions[key] = actions.check_add_contribution(
            assembly,
            speaker=speakers[speaker_key],
            title=title,
            form=form,
            meeting=sessions[index],
            summary=summary,
            link=link,
            acting_user=organiser,
        )
    bands = actions.trust_bands(assembly)
    for c in contributions.values():
        if not c.open_for_rating():
            continue
        kind = c.speaker.kind
        for p in members:
            if rng.random() < 0.15:
                continue  # not everyone rates everything
            mean = BASE[kind] + (LOW_TRUST_SHIFT[kind] if _band_of(bands, p) == "low" else 0.0)

            def draw(m):
                return max(1, min(5, round(rng.gauss(m, 0.8))))

            actions.check_rate_contribution(
                c, p, trust=draw(mean), clarity=draw(3.9), fairness=draw(mean - 0.2)
            )
    for who, text, why in [
        ("Megan", "A bus driver from the town", "They know what people need from buses."),
        ("Dafydd", "Someone from the Citizens Advice bureau", "They see who struggles with bills."),
    ]:
        if who in named:
            actions.check_request_speaker(assembly, named[who], who=text, why=why)

    # Questions with votes and answers.
    for index, speaker_key, text, status, answer in QUESTIONS:
        if not members:
            break
        asker = members[rng.randrange(len(members))]
        q = actions.check_ask_question(
            sessions[index],
            asker,
            text=text,
            speaker=speakers[speaker_key] if speaker_key else None,
        )
        for p in rng.sample(members, rng.randrange(0, len(members) + 1)):
            actions.check_vote_question(q, p)
        if status != QuestionStatus.OPEN:
            actions.check_answer_question(
                q, status=status, answer=answer, acting_user=organiser, notify=False
            )

    # Criteria and members' votes: the first three are agreed, the fourth is not.
    criteria = [
        actions.check_propose_criterion(assembly, text=t, acting_user=organiser) for t in CRITERIA
    ]
    for i, p in enumerate(members):
        chosen = [criteria[0].pk, criteria[2].pk]
        if i % 4 != 3:
            chosen.append(criteria[1].pk)
        if i % 3 == 0:
            chosen.append(criteria[3].pk)
        actions.check_vote_criteria(assembly, p, criteria=chosen)

    # Claims and answers.
    for text, heard_from, index, (by, who), answer in CLAIMS:
        participant = named.get(who) if by == "member" else None
        if by == "member" and participant is None:
            continue
        claim = actions.check_flag_claim(
            assembly,
            text=text,
            meeting=sessions[index],
            heard_from=heard_from,
            participant=participant,
            acting_user=demo.objects[f"user:{who}"] if by == "staff" else None,
        )
        if answer is not None:
            verdict, response, sources, met = answer
            actions.check_respond_claim(
                claim,
                verdict=verdict,
                response=response,
                sources=sources,
                criteria_met=[
                    criteria[i].pk for i in met if criteria[i] in actions.agreed_criteria(assembly)
                ],
                acting_user=facilitator,
                notify=False,
            )

    # A table plan for the next weekend: 2 rounds, mixing what members answered.
    if weekends and len(members) >= 4:
        features = actions.available_features(assembly)
        mix = {
            f: "diversify" for f in ("age_band", "gender", "area", "trust_band") if f in features
        }
        plan = actions.do_create_table_plan(
            weekends[0],
            acting_user=organiser,
            tables=max(2, len(members) // 6),
            rounds=2,
            mix=mix,
            seed=TABLE_SEED,
            accessible_tables=[],
            pinned=[],
            apart=[],
            facilitators={str(facilitator.pk): 1},
            keep_language_together=True,
        )
        result = compute_plan(plan)
        actions.do_store_table_plan(plan, seats=result.seats, result=result)
        demo.objects["table_plan"] = plan

    # The other (private) assembly: a speaker and a session, so tests can check they stay hidden.
    other = demo.objects.get("other_assembly")
    if other is not None:
        bus = actions.check_add_speaker(
            other,
            name="Dewi Jenkins",
            role="Riverside Buses",
            kind="advocate",
            interests="Runs the current bus route.",
            acting_user=demo.objects["user:other_organiser"],
        )
        when = dt.datetime.combine(today + dt.timedelta(days=9), dt.time(18, 0), tzinfo=tz)
        demo.objects["other_session"] = actions.check_create_session(
            other,
            title="Evening 1: the Riverside route today",
            starts_at=when,
            ends_at=when + dt.timedelta(hours=2),
            place="https://meet.example/riverside",
            agenda="18:00 Welcome\n18:15 The route today",
            speakers=[bus.pk],
            acting_user=demo.objects["user:other_organiser"],
        )
    demo.objects["welcome_session"] = welcome
