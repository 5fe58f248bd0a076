"""Demo loader of the ``assemblies`` app: the Aberwen climate assembly, its staff and sessions."""

import datetime as dt

from django.utils import timezone

from minipublic.web.assemblies import actions
from minipublic.web.assemblies.models import Phase, Role
from minipublic.web.demo import (
    CAST,
    DEMO_PASSWORD,
    DEMO_QUESTION,
    DEMO_SLUG,
    OTHER_SLUG,
    Demo,
)
from minipublic.web.people.actions import do_create_staff_account

DEMO_QUESTION_CY = "Sut ddylen ni gyrraedd sero net erbyn 2040 mewn ffordd sy'n deg i bawb?"


def load(demo: Demo) -> None:
    users = {
        key: do_create_staff_account(
            email=person.email,
            password=DEMO_PASSWORD,
            display_name=person.name,
            can_create_assemblies=key in {"organiser", "other_organiser"},
        )
        for key, person in CAST.items()
    }
    organiser = users["organiser"]
    assembly = actions.do_create_assembly(
        title="Aberwen Climate Assembly",
        question=DEMO_QUESTION,
        commissioner="Aberwen Town Council",
        slug=DEMO_SLUG,
        languages=["en", "cy"],
        # No head count in the text: the public page shows the live numbers.
        public_summary=(
            "Residents of Aberwen, chosen by a civic lottery to reflect the town, "
            "meet over six weekends to learn, deliberate and recommend how the town "
            "reaches net zero by 2040 fairly. The council has promised to answer every "
            "recommendation in public."
        ),
        is_public=True,
        title_cy="Cynulliad Hinsawdd Aberwen",
        question_cy=DEMO_QUESTION_CY,
        public_summary_cy=(
            "Mae trigolion Aberwen, wedi'u dewis drwy loteri ddinesig i adlewyrchu'r dref, "
            "yn cyfarfod dros chwe phenwythnos i ddysgu, trafod ac argymell sut y gall y dref "
            "gyrraedd sero net erbyn 2040 yn deg. Mae'r cyngor wedi addo ateb pob argymhelliad "
            "yn gyhoeddus."
        ),
        acting_user=organiser,
    )
    for role in (Role.FACILITATOR, Role.COMMISSIONER, Role.EVALUATOR):
        actions.do_grant_role(assembly, users[role.value], role, acting_user=organiser)
    # The demo starts in the learning phase: invitations, registration and
    # selection are behind it (later apps fill those phases with data).
    for phase in (Phase.REGISTER, Phase.SELECT, Phase.LEARN):
        actions.do_change_phase(assembly, phase, acting_user=organiser)
    today = timezone.localdate()
    start = today - dt.timedelta(days=70)
    for i, phase in enumerate(Phase):
        actions.do_set_phase_dates(
            assembly,
            phase,
            starts_on=start + dt.timedelta(days=21 * i),
            ends_on=start + dt.timedelta(days=21 * i + 20),
            acting_user=organiser,
        )
    tz = timezone.get_current_timezone()
    for days, title, title_cy in [
        (
            3,
            "Weekend 1: What does net zero mean for Aberwen?",
            "Penwythnos 1: Beth mae sero net yn ei olygu i Aberwen?",
        ),
        (
            17,
            "Weekend 2: Homes, heat and energy bills",
            "Penwythnos 2: Cartrefi, gwres a biliau ynni",
        ),
        (31, "Weekend 3: Getting around town", "Penwythnos 3: Teithio o gwmpas y dref"),
    ]:
        day = today + dt.timedelta(days=days)
        starts = dt.datetime.combine(day, dt.time(10, 0), tzinfo=tz)
        actions.do_schedule_meeting(
            assembly,
            title=title,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=6),
            place="Aberwen Community Hall, 12 High Street",
            title_cy=title_cy,
            place_cy="Neuadd Gymuned Aberwen, 12 Stryd Fawr",
            what_to_bring="Nothing. Lunch, travel costs and childcare are paid for.",
            acting_user=organiser,
        )
    other = actions.do_create_assembly(
        title="Riverside Transport Jury",
        question="What should replace the Riverside bus route?",
        commissioner="Riverside County Council",
        slug=OTHER_SLUG,
        languages=["en"],
        public_summary="",
        is_public=False,
        acting_user=users["other_organiser"],
    )
    demo.objects.update({f"user:{key}": user for key, user in users.items()})
    demo.objects["assembly"] = assembly
    demo.objects["other_assembly"] = other
    demo.notes.append(f"Organiser sign-in: {CAST['organiser'].email} / password {DEMO_PASSWORD}")
