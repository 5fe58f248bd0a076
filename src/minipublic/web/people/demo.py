"""Demo loader of the ``people`` app: the members of both demo assemblies and a sign-in link."""

from minipublic.web.demo import MEMBERS, OTHER_MEMBER, Demo
from minipublic.web.people.actions import do_add_member, do_issue_sign_in_link


def load(demo: Demo) -> None:
    assembly = demo.objects["assembly"]
    organiser = demo.objects["user:organiser"]
    for first, last, language in MEMBERS:
        participant = do_add_member(
            assembly,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}@example.org",
            phone=f"07700 900{demo.rng.randrange(100, 999)}",
            address=f"{demo.rng.randrange(1, 80)} Station Road, Aberwen",
            preferred_language=language,
            acting_user=organiser,
        )
        demo.objects[f"member:{first}"] = participant
    first = MEMBERS[0][0]
    link = do_issue_sign_in_link(
        demo.objects[f"member:{first}"], acting_user=organiser, send_email=False
    )
    demo.objects["member_link"] = link
    demo.notes.append(f"Member sign-in link for {first} (works once): {link}")
    # The other assembly's member, made by its own organiser. Fixed details (no
    # draw from demo.rng), so the later loaders' random choices stay as they were.
    first, last, language = OTHER_MEMBER
    demo.objects["other_member"] = do_add_member(
        demo.objects["other_assembly"],
        first_name=first,
        last_name=last,
        email=f"{first.lower()}@example.org",
        phone="07700 900100",
        address="4 Mill Lane, Riverside",
        preferred_language=language,
        acting_user=demo.objects["user:other_organiser"],
    )
