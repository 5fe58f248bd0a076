"""Demo loader of the ``deliberation`` app: a synthetic statement conversation and more.

The Aberwen conversation is synthetic (no real person's votes): 30 statements
about reaching net zero fairly, votes from the eight demo members and 130
simulated members of the public drawn from three latent opinion groups with
the demo's seeded generator, a moderation queue (pending, rejected with a
reason, a merged duplicate), criteria with support, scored proposals, and a
meta-consensus survey answered before and after deliberation whose
consistency rises, as it does in real assemblies. Every row goes through the
app's actions.
"""

import numpy as np

from minipublic.web.deliberation import actions
from minipublic.web.deliberation.models import Conversation, Fit, Moderation
from minipublic.web.demo import MEMBERS, Demo

# (text, agree probability for latent groups A, B, C)
STATEMENTS = [
    (
        "Aberwen should reach net zero by 2040 even if it costs more in the short term.",
        0.9,
        0.2,
        0.5,
    ),
    ("Help with heat pumps should go first to households on low incomes.", 0.85, 0.7, 0.8),
    ("Buses should run every 20 minutes to the villages around Aberwen.", 0.8, 0.8, 0.75),
    ("The town centre should be closed to cars on Saturdays.", 0.75, 0.1, 0.35),
    ("Onshore wind turbines on the hills above the town are a good idea.", 0.8, 0.15, 0.6),
    ("Wind turbines would spoil the landscape that brings visitors here.", 0.15, 0.85, 0.35),
    ("Council tax should not rise to pay for climate projects.", 0.2, 0.9, 0.55),
    ("Every new house built in Aberwen should have solar panels.", 0.9, 0.55, 0.8),
    ("Farmers should be paid to plant trees and restore peat bogs.", 0.85, 0.45, 0.8),
    ("People in rural areas need their cars; plans must not punish them.", 0.35, 0.95, 0.8),
    ("Schools should teach children how to save energy at home.", 0.85, 0.75, 0.85),
    ("A community-owned solar farm would keep money in the town.", 0.9, 0.5, 0.85),
    ("Parking charges in the town centre should go up to fund cycle lanes.", 0.7, 0.05, 0.2),
    (
        "Insulating old stone houses properly should be free for owners who cannot afford it.",
        0.85,
        0.75,
        0.85,
    ),
    (
        "Climate rules are decided in Cardiff and London, so a town plan changes little.",
        0.1,
        0.7,
        0.3,
    ),
    ("Local shops should get help to cut their energy bills.", 0.8, 0.85, 0.8),
    ("Flights and cruise ships matter more than anything a small town does.", 0.3, 0.75, 0.45),
    ("The council should publish every year how far the town is from net zero.", 0.9, 0.7, 0.85),
    ("Electric car chargers should be put in every village.", 0.75, 0.5, 0.9),
    ("Meat-free days in school canteens are a good idea.", 0.7, 0.1, 0.25),
    ("Nobody should be made to replace a working boiler.", 0.35, 0.95, 0.7),
    (
        "Walking and cycling routes between the estates and the centre should be safer.",
        0.9,
        0.6,
        0.75,
    ),
    ("A repair café and tool library would cut waste and save people money.", 0.8, 0.6, 0.75),
    ("Tourists should pay a small levy that funds local climate projects.", 0.75, 0.35, 0.7),
    ("The plan should be written with young people, whose future it is.", 0.9, 0.6, 0.8),
    ("Jobs in the new green industries should go to local people first.", 0.8, 0.85, 0.9),
    ("Street lights should be dimmed after midnight to save energy.", 0.7, 0.4, 0.35),
    ("Grants should cover the full cost of draught-proofing for pensioners.", 0.8, 0.8, 0.85),
    ("The river should be used for a small hydro scheme.", 0.7, 0.45, 0.7),
    ("The town should ban new gas connections from 2030.", 0.75, 0.1, 0.3),
]
GROUP_SIZES = (
    62,
    46,
    30,
)  # latent groups of the simulated voters (the 8 members are spread over them)
PASS_SHARE = 0.12

# Statements written by participants during the demo (the last ones wait for moderation).
PARTICIPANT_STATEMENTS = [
    ("Megan", "Bus fares for under-25s should be free, like in Scotland.", "accepted"),
    ("Dafydd", "Plans should be published in Welsh and English at the same time.", "accepted"),
    (
        "Priya",
        "Empty shops could become warm spaces in winter for people who cannot heat their homes.",
        "accepted",
    ),
    ("Tom", "Help with heat pumps should go first to households with low incomes.", "merged"),
    ("Aisha", "The council is useless and everyone in it should be sacked!!!", "rejected"),
    ("Gwen", "Car clubs with electric cars could replace second cars in the villages.", "pending"),
    (
        "Sam",
        "New estates should be built near the railway station, not on green fields.",
        "pending",
    ),
]

CRITERIA = [
    ("It must not raise bills for people on low incomes.", True),
    ("People in the villages must still be able to get to work and the doctor.", True),
    ("It must cut the town's emissions in a way we can measure.", True),
    ("Local people should decide how the money is spent.", True),
    ("It must be something the council can start within two years.", True),
    ("It must make the town look nicer.", False),
    ("It should be cheap.", False),
]
PROPOSALS = [
    (
        "Free insulation for the coldest homes",
        "Insulate the 800 least efficient homes first, free for households on low incomes.",
    ),
    (
        "Community solar farm",
        "A co-operative solar farm on the old quarry, owned by residents, with profits to energy-bill support.",
    ),
    (
        "Car-free town centre on Saturdays",
        "Close the High Street to cars every Saturday and run a free shuttle bus from the car parks.",
    ),
]

CONSIDERATIONS = [
    "Fairness to people on low incomes",
    "Cutting emissions as fast as possible",
    "Keeping council tax down",
    "Protecting the landscape",
    "Jobs for local people",
    "Freedom to choose how to travel",
    "Health of children",
    "Cost to the council",
    "Speed of getting started",
    "Support from the whole town",
    "Welsh language and culture",
    "Needs of the villages",
    "Energy bills",
    "Visitors and tourism",
    "Wildlife and nature",
    "Clean air in the town centre",
    "Old people keeping warm",
    "Money staying in the town",
    "What the next generation will inherit",
    "Proven technology",
    "Local control over decisions",
    "Safety on the roads",
    "Shops and businesses in the centre",
    "Being an example for other towns",
]
OPTIONS = [
    "Start with homes: insulation and heat pumps",
    "Start with transport: buses, cycling and a car-free centre",
    "Start with energy: community solar, wind and hydro",
    "Go slowly and wait for national schemes",
]


def _conversation_votes(conversation, statements, voters, rng: np.random.Generator) -> None:
    probs = np.array([row[1:] for row in STATEMENTS])
    ids = [s.pk for s in statements]
    for voter, group in voters:
        seen = rng.choice(len(ids), size=int(rng.integers(12, len(ids) + 1)), replace=False)
        for j in seen:
            passes = rng.random() < PASS_SHARE
            value = 0 if passes else (1 if rng.random() < probs[j, group] else -1)
            actions.do_vote(conversation, voter.pk, ids[j], value, check_refresh=False)


# The meta-consensus answers use their own generator, so that changes elsewhere
# in the demo do not change them: each member has a position on one main
# value axis (and a little on a second); ratings and rankings follow it with
# noise that is large before deliberation and small after.
DRI_SEED = 5
OPTION_POSITIONS = [[-1.5, 0.4], [-0.5, -0.6], [0.5, 0.6], [1.5, -0.4]]


def _dri_answers(conversation, members) -> None:
    """Ratings and rankings whose link to a shared structure tightens after deliberation."""
    rng = np.random.default_rng(DRI_SEED)
    considerations = list(conversation.considerations.all())
    options = list(conversation.options.all())
    n_c, n_o = len(considerations), len(options)
    loadings = rng.normal(size=(n_c, 2))  # what each consideration speaks to
    positions = np.array(OPTION_POSITIONS[:n_o])  # what each option serves
    values = {p.pk: rng.normal(size=2) * np.array([1.0, 0.15]) for p in members}
    for stage, noise in (("pre", 1.5), ("post", 0.3)):
        actions.do_set_dri_stage(conversation, stage)
        for participant in members:
            raw = loadings @ values[participant.pk] + rng.normal(scale=noise, size=n_c)
            cut = np.quantile(raw, np.linspace(0, 1, 8)[1:-1])
            ratings = {
                c.pk: int(np.searchsorted(cut, v)) + 1
                for c, v in zip(considerations, raw, strict=True)
            }
            utility = positions @ values[participant.pk] + rng.normal(scale=noise, size=n_o)
            order = np.argsort(-utility)
            ranks = {options[i].pk: place + 1 for place, i in enumerate(order)}
            actions.check_answer_dri(conversation, participant, ratings, ranks)


def load(demo: Demo) -> None:
    assembly = demo.objects["assembly"]
    organiser = demo.objects["user:organiser"]
    facilitator = demo.objects["user:facilitator"]
    rng = np.random.default_rng(demo.seed)
    conversation = actions.do_start_conversation(
        assembly,
        topic="What should Aberwen do to reach net zero by 2040 in a way that is fair?",
        moderation=Moderation.STRICT,
        public_voting=True,
        map_public=True,
        refresh_threshold=50,
        seed=demo.seed,
        attribution=(
            "Demo data: the statements and votes are invented for this demonstration "
            "(simulated voters, seeded); no real person's views."
        ),
        acting_user=organiser,
    )
    statements = [
        actions.do_add_seed_statement(conversation, text, acting_user=facilitator)
        for text, *_p in STATEMENTS
    ]
    # Voters: the eight members, then simulated public browsers, each in a latent group.
    members = [
        demo.objects[f"member:{first}"]
        for first, *_r in MEMBERS
        if f"member:{first}" in demo.objects
    ]
    voters = []
    for i, participant in enumerate(members):
        voters.append((actions.do_get_voter(conversation, participant=participant), i % 3))
    for group, size in enumerate(GROUP_SIZES):
        for k in range(size):
            browser = f"demo-{group}-{k:03d}"
            voters.append((actions.do_get_voter(conversation, browser_id=browser), group))
    _conversation_votes(conversation, statements, voters, rng)

    # Participants' own statements and their moderation.
    by_name = {first: v for (v, _g), (first, *_r) in zip(voters, MEMBERS, strict=False)}
    for first, text, fate in PARTICIPANT_STATEMENTS:
        statement = actions.check_submit_statement(conversation, by_name[first], text)
        if fate == "accepted":
            actions.check_moderate(statement, "accept", acting_user=facilitator)
            for voter, group in voters[:40]:
                if rng.random() < 0.8:
                    value = 1 if rng.random() < (0.8, 0.6, 0.7)[group] else -1
                    actions.do_vote(
                        conversation, voter.pk, statement.pk, value, check_refresh=False
                    )
        elif fate == "rejected":
            actions.check_moderate(
                statement,
                "reject",
                reason="A personal attack, not a statement about what the town should do.",
                acting_user=facilitator,
            )
        elif fate == "merged":
            actions.check_merge(
                statement, statements[1].pk, reason="Same as statement 2.", acting_user=facilitator
            )
    conversation = Conversation.objects.get(pk=conversation.pk)
    actions.compute_map(conversation)

    # Convergent facilitation: criteria, support, the agreed list, proposals, scores.
    criteria = [
        actions.check_propose_criterion(conversation, text, participant=members[i % len(members)])
        for i, (text, _agreed) in enumerate(CRITERIA)
    ]
    for criterion, (_text, agreed) in zip(criteria, CRITERIA, strict=True):
        for participant in members:
            support = rng.random() < (0.85 if agreed else 0.3)
            actions.check_support_criterion(criterion, participant, bool(support))
    actions.check_close_criteria(
        conversation,
        [c.pk for c, (_t, agreed) in zip(criteria, CRITERIA, strict=True) if agreed],
        acting_user=facilitator,
    )
    proposals = [
        actions.check_add_proposal(conversation, title, text, acting_user=facilitator)
        for title, text in PROPOSALS
    ]
    reasons = {
        (2, 1): [
            "The shuttle bus would not reach the villages, so people there lose access to the shops.",
            "My mother cannot walk from the car park; a shuttle every half hour is not enough.",
            "Only if the shuttle also runs from the villages.",
        ],
        (2, 0): [
            "Market traders on low incomes would lose Saturday trade.",
            "Parking fines would hit people who cannot afford them.",
        ],
        (1, 4): [
            "Planning permission for the quarry could take longer than two years.",
            "The grid connection alone can take three years.",
        ],
        (0, 2): ["Counting the homes insulated is not the same as measuring emissions."],
        (1, 3): [
            "A co-operative board could be taken over by a few people.",
            "Only if every household gets a vote, not just shareholders.",
        ],
    }
    conversation.refresh_from_db()
    agreed = [
        c
        for c in criteria
        if c.pk in set(conversation.criteria.filter(status="agreed").values_list("pk", flat=True))
    ]
    objections = {(0, 2): 0.3, (1, 4): 0.5, (1, 3): 0.25, (2, 0): 0.45, (2, 1): 0.7}
    for p_i, proposal in enumerate(proposals):
        for c_i, criterion in enumerate(agreed):
            criterion.refresh_from_db()
            for participant in members:
                chance = objections.get((p_i, c_i), 0.08)
                r = rng.random()
                if r < chance * 0.6:
                    fit = Fit.DOES_NOT
                elif r < chance:
                    fit = Fit.PARTLY
                else:
                    fit = Fit.MEETS
                options = reasons.get((p_i, c_i), ["It depends on how it is done."])
                reason = options[int(rng.integers(len(options)))] if fit != Fit.MEETS else ""
                actions.check_score(proposal, criterion, participant, fit, reason)

    # Meta-consensus: considerations and options, answered before and after.
    actions.check_set_dri_items(
        conversation, "\n".join(CONSIDERATIONS), "\n".join(OPTIONS), acting_user=organiser
    )
    _dri_answers(conversation, members)
    actions.do_set_dri_stage(conversation, "", acting_user=organiser)
    demo.objects["conversation"] = conversation
