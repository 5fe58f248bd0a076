"""Demo loader of the ``recruitment`` app.

The demo assembly gets an address file of 6 000 Aberwen households in four
areas, oversampling weights for the two areas where fewer people usually
reply, a completed invitation lottery (4 000 letters) and about 2 000
registrants who answered by letter code. Their answers come from
:func:`minipublic.sortition.synthetic_pool` (correlated demographics and
attitudes, with low-trust and "no point" people under-represented as in real
registrations); trust scores, barriers and support needs are derived from
them with the demo's seeded generator.
"""

import numpy as np
import pandas as pd

from minipublic.sortition import normalise_address
from minipublic.sortition._synthetic import synthetic_pool
from minipublic.web.demo import Demo
from minipublic.web.recruitment.actions import (
    check_update_support,
    do_apply_invitation_lottery,
    do_load_registrants,
    do_set_area_weights,
    do_update_registration_settings,
    do_upload_address_file,
    registration_settings,
)
from minipublic.web.recruitment.models import SupportArrangement
from minipublic.web.recruitment.tasks import draw_invitation

AREAS = {"north": 1500, "south": 1800, "east": 1200, "west": 1500}
WEIGHTS = {"east": 2.0, "north": 1.5}
STREETS = {
    "north": ["Heol y Bryn", "Mountain View", "Quarry Road", "Chapel Street", "Bryn Terrace"],
    "south": ["Harbour Road", "Marine Parade", "Dock Street", "Sea View", "Beach Lane"],
    "east": ["Station Road", "Mill Lane", "Tŷ Newydd Close", "Railway Terrace", "Canal Side"],
    "west": ["Castle Street", "Church Lane", "Orchard Way", "Park Avenue", "Meadow Close"],
}
N_LETTERS = 4000
N_REGISTRANTS = 2000
FIRST = [
    "Alex",
    "Sam",
    "Jo",
    "Priya",
    "Tom",
    "Aisha",
    "Li",
    "Maria",
    "Owen",
    "Zara",
    "Ben",
    "Ada",
    "Rhys",
    "Cerys",
    "Gareth",
    "Siân",
    "Nia",
    "Iwan",
    "Fatima",
    "Kofi",
]
LAST = [
    "Jones",
    "Williams",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Hughes",
    "Khan",
    "Smith",
    "Price",
    "Morgan",
    "Okoye",
    "Lewis",
    "Patel",
    "Griffiths",
]
TRUST_RANGES = {"low": (0, 3), "medium": (4, 6), "high": (7, 10)}


def _addresses(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for area, n in AREAS.items():
        streets = STREETS[area]
        per_street = -(-n // len(streets))
        for i in range(n):
            street = streets[i // per_street]
            number = i % per_street + 1
            address = f"{number} {street}, Aberwen"
            postcode = f"AB{list(AREAS).index(area) + 1} {1 + i // 200}{'ABDEFGHJ'[i % 8]}{'LNPQRSTU'[(i // 8) % 8]}"
            rows.append((address, street, postcode, area))
    frame = pd.DataFrame(rows, columns=["address", "street", "postcode", "area"])
    frame["row"] = np.arange(2, len(frame) + 2)
    frame["household_key"] = [
        normalise_address(f"{a} {p}") for a, p in zip(frame.address, frame.postcode, strict=True)
    ]
    return frame


def load(demo: Demo) -> None:
    assembly = demo.objects["assembly"]
    organiser = demo.objects["user:organiser"]
    rng = np.random.default_rng(demo.seed)

    table = _addresses(rng)
    address_file = do_upload_address_file(
        assembly,
        name="aberwen-addresses.csv",
        sha256="demo",
        table=table,
        acting_user=organiser,
    )
    do_set_area_weights(
        assembly,
        WEIGHTS,
        note="Welsh Index of Multiple Deprivation, top quintile",
        acting_user=organiser,
    )
    settings_obj = registration_settings(assembly)
    do_update_registration_settings(
        settings_obj,
        short_url="aberwen.example/join",
        open_link_enabled=True,
        acting_user=organiser,
    )
    addresses = list(address_file.addresses.order_by("row"))
    seed = f"aberwen-letters-{demo.seed}"
    invitation = draw_invitation(address_file, addresses, n_letters=N_LETTERS, seed=seed)
    do_apply_invitation_lottery(
        address_file, invitation, addresses, seed=seed, acting_user=organiser
    )

    people = synthetic_pool(N_REGISTRANTS, seed=demo.seed, panel_size=100).people
    invited_by_area: dict[str, list] = {}
    for a in addresses:
        if a.invited:
            invited_by_area.setdefault(a.area, []).append(a)
    for area_list in invited_by_area.values():
        rng.shuffle(area_list)

    details, registrants, needs_of = [], [], []
    for i, person in enumerate(people.itertuples(index=False)):
        pool = invited_by_area.get(person.area) or next(v for v in invited_by_area.values() if v)
        address = pool.pop()
        lo, hi = TRUST_RANGES[person.trust_in_government]
        trust = int(rng.integers(lo, hi + 1))
        barriers = []
        if person.no_point == "yes":
            barriers.append("no_point")
        caring = rng.random() < (0.25 if person.age in ("30-44", "45-64") else 0.08)
        for barrier, p in (
            ("no_time", 0.3 if person.age != "65+" else 0.08),
            ("cost", 0.25 if person.education == "no qualifications" else 0.1),
            ("language", 0.25 if person.ethnicity != "white" else 0.02),
            ("access", 0.2 if person.age == "65+" else 0.05),
        ):
            if rng.random() < p:
                barriers.append(barrier)
        if caring:
            barriers.append("caring")
        needs = ["payment"] if ("cost" in barriers or rng.random() < 0.3) else []
        if caring:
            needs.append("caring")
        if "language" in barriers:
            needs.append("interpreter")
        if "access" in barriers or rng.random() < 0.05:
            needs.append("access")
        if rng.random() < 0.2:
            needs.append("travel")
        if rng.random() < (0.25 if person.age == "65+" else 0.05):
            needs.append("device")
        disability = "yes" if rng.random() < (0.35 if person.age == "65+" else 0.15) else "no"
        language = "cy" if rng.random() < 0.2 else "en"
        first = FIRST[int(rng.integers(len(FIRST)))]
        last = LAST[int(rng.integers(len(LAST)))]
        details.append(
            dict(
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower()}{i}@example.org",
                phone=f"07700 9{i:05d}",
                address=f"{address.address}, {address.postcode}",
                preferred_language=language,
            )
        )
        registrants.append(
            dict(
                address=address,
                household_key=address.household_key,
                age_band=person.age,
                gender=person.gender,
                area=address.area,
                education=person.education,
                ethnicity=person.ethnicity,
                disability=disability,
                trust_in_government=trust,
                barriers=barriers,
                support_needs=needs,
                language=language,
            )
        )
        needs_of.append(needs)
    created = do_load_registrants(
        assembly,
        [
            {"registrant": r, "details": d, "needs": n}
            for r, d, n in zip(registrants, details, needs_of, strict=True)
        ],
        source_object=address_file,
        acting_user=organiser,
    )
    # About a third of the support asked for has been arranged, through the
    # support board's action (each with its audit line).
    for arrangement in SupportArrangement.objects.filter(registrant__in=created).order_by("pk"):
        if rng.random() < 0.3:
            check_update_support(
                arrangement,
                state="arranged",
                arrangement_text="Booked",
                cost=int(rng.integers(10, 120)),
                acting_user=organiser,
            )
    demo.objects["address_file"] = address_file
    demo.objects["registrants"] = len(created)
    code = next(a.letter_code for v in invited_by_area.values() for a in v if a.letter_code)
    demo.objects["free_letter_code"] = code
    demo.notes.append(
        f"Registration code not used yet (try it at /a/{assembly.slug}/register/): {code}"
    )
