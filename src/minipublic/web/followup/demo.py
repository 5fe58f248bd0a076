"""Demo follow-up: the council's promise, an answer of every kind, progress of every status,
a revised answer (so the version history shows a difference), members' verdicts, a joint
statement and a confirmed follower. Built through the actions, so it carries audit lines.

The demo assembly sits in an earlier phase; its follow-up is shown as the council's
answers to the recommendations adopted at the demo's ballots, dated over past months.
"""

import datetime

from django.utils import timezone

from minipublic.web.decisions.models import Recommendation
from minipublic.web.demo import Demo
from minipublic.web.followup import actions
from minipublic.web.followup.models import Category, Fidelity, ImplementationStatus

# (category, reason, body, actions, months until due, status updates:
#  (days ago, status, percent, fidelity, note))
ANSWERS = [
    (
        Category.ACCEPTED,
        "",
        "Aberwen Town Council, Transport team",
        "Fund three new bus routes to the estates from the 2027 budget and consult on the timetable.",
        18,
        [
            (
                150,
                ImplementationStatus.IN_PROGRESS,
                20,
                Fidelity.AS_RECOMMENDED,
                "Budget line agreed by full council.",
            ),
            (
                40,
                ImplementationStatus.IN_PROGRESS,
                55,
                Fidelity.AS_RECOMMENDED,
                "Timetable consultation closed; 1 240 replies.",
            ),
        ],
    ),
    (
        Category.ACCEPTED_IN_PART,
        "We will insulate council homes first; private rented homes need powers we do not have.",
        "Aberwen Town Council, Housing",
        "Insulate all 1 100 council homes by 2030; lobby the Welsh Government for landlord standards.",
        36,
        [
            (
                200,
                ImplementationStatus.NOT_STARTED,
                0,
                Fidelity.NOT_JUDGED,
                "Survey of homes commissioned.",
            ),
            (60, ImplementationStatus.IN_PROGRESS, 15, Fidelity.MODIFIED, "First 160 homes done."),
            (5, ImplementationStatus.STALLED, 15, Fidelity.MODIFIED, "Waiting for the contractor."),
        ],
    ),
    (
        Category.UNDER_CONSIDERATION,
        "A study of the costs and of who would pay them reports in the spring.",
        "Aberwen Town Council, Finance",
        "",
        None,
        [],
    ),
    (
        Category.REJECTED,
        "The council cannot afford it without cutting library opening hours, which the assembly asked us to keep.",
        "Aberwen Town Council, Cabinet",
        "",
        None,
        [
            (
                30,
                ImplementationStatus.ABANDONED,
                0,
                Fidelity.NOT_JUDGED,
                "The pilot that had started was stopped.",
            )
        ],
    ),
    (
        Category.ALREADY_HAPPENING,
        "Solar panels on school roofs were already planned; we will now add the two schools the assembly named.",
        "Aberwen Town Council, Education",
        "Panels on all eight school roofs.",
        12,
        [(20, ImplementationStatus.DONE, 100, Fidelity.AS_RECOMMENDED, "All eight roofs fitted.")],
    ),
    (
        Category.OUTSIDE_POWERS,
        "Rail fares are set by Transport for Wales; we have written to them with the recommendation.",
        "Aberwen Town Council, Leader's office",
        "",
        None,
        [],
    ),
]
# Earlier published versions of some answers (by position), so the history shows differences.
FIRST_VERSIONS = {
    0: [
        (
            Category.ACCEPTED_IN_PART,
            "Two routes only, to stay within this year's budget.",
            "Fund two new bus routes to the estates.",
        )
    ],
    3: [
        (
            Category.OUTSIDE_POWERS,
            "We first understood that parking charges are set by the county.",
            "",
        )
    ],
}


def load(demo: Demo) -> None:
    assembly = demo.objects["assembly"]
    organiser = demo.objects["user:organiser"]
    commissioner = demo.objects["user:commissioner"]
    today = timezone.localdate()
    actions.check_set_commitment(
        assembly,
        promise=(
            "Aberwen Town Council will answer every recommendation of the assembly in public "
            "within six months, and report progress after three months and then every six months."
        ),
        respond_by=today + datetime.timedelta(days=45),
        acting_user=organiser,
    )
    adopted = list(Recommendation.objects.adopted(assembly))
    responses = []
    for i, rec in enumerate(adopted):
        category, reason, body, what, months, updates = ANSWERS[i % len(ANSWERS)]
        due = today + datetime.timedelta(days=30 * months) if months else None
        for first_category, first_reason, first_actions in FIRST_VERSIONS.get(i, []):
            # Some answers were revised: version 1 said something else.
            first = actions.check_save_response(
                rec,
                category=first_category,
                reason=first_reason,
                responsible_body=body,
                actions=first_actions,
                due_by=due,
                acting_user=commissioner,
            )
            actions.do_publish_response(first, acting_user=commissioner)
        response = actions.check_save_response(
            rec,
            category=category,
            reason=reason,
            responsible_body=body,
            actions=what,
            due_by=due,
            acting_user=commissioner,
        )
        actions.check_publish_response(response, acting_user=commissioner)
        for days, status, pct, fidelity, note in updates:
            actions.check_add_status_update(
                response,
                recorded_on=today - datetime.timedelta(days=days),
                status=status,
                percent=pct,
                fidelity=fidelity,
                note=note,
                evidence_url="https://aberwen.example.org/council/minutes",
                acting_user=commissioner,
            )
        responses.append(response)
    if responses:
        actions.check_save_sub_item(
            responses[0], title="Budget agreed", weight=1, percent=100, acting_user=commissioner
        )
        actions.check_save_sub_item(
            responses[0],
            title="New routes running",
            weight=3,
            percent=40,
            due_by=today + datetime.timedelta(days=300),
            acting_user=commissioner,
        )
    members = list(assembly.participants.filter(is_active=True).order_by("pk")[:8])
    for response in responses:
        for member in members[: demo.rng.randint(3, len(members) or 3)]:
            score = {
                Category.ACCEPTED: 8,
                Category.ALREADY_HAPPENING: 7,
                Category.ACCEPTED_IN_PART: 6,
                Category.UNDER_CONSIDERATION: 4,
                Category.REJECTED: 2,
                Category.OUTSIDE_POWERS: 5,
            }[response.category] + demo.rng.choice([-1, 0, 0, 1])
            actions.check_rate_response(response, participant=member, score=max(0, min(10, score)))
    if members:
        statement = actions.check_write_joint_statement(
            assembly,
            participant=members[0],
            title="Our response to the council's answers",
            text=(
                "We welcome the new bus routes and the insulation of council homes. We are "
                "disappointed that the council rejected free town-centre parking for blue-badge "
                "holders and ask it to look again within a year."
            ),
        )
        for member in members[1:5]:
            actions.do_sign_joint_statement(statement, participant=member)
        actions.check_publish_joint_statement(statement, participant=members[0])
    follower = actions.check_follow(assembly, email="resident@example.org", language="en")
    actions.do_confirm_follower(follower)
    demo.notes.append(
        f"Follow-up: {len(responses)} responses published; tracker at /a/{assembly.slug}/follow-up/"
    )
