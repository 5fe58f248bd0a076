"""Pseudonyms: drawn again when one is already held or drawn twice in a batch."""

import itertools

import pytest

from minipublic.web.people import models
from minipublic.web.people.models import Participant, fresh_pseudonyms

pytestmark = pytest.mark.django_db


def test_clashes_with_held_and_repeated_pseudonyms_are_drawn_again(member, monkeypatch):
    held = member("Megan").pseudonym
    # The random source first repeats itself and hits a held pseudonym.
    draws = itertools.chain(
        [held, "P-AAAAAA", "P-AAAAAA", "P-BBBBBB"], (f"P-C{i:05d}" for i in range(10))
    )
    monkeypatch.setattr(models, "random_pseudonym", lambda: next(draws))
    got = fresh_pseudonyms(3)
    assert len(got) == len(set(got)) == 3
    assert held not in got
    assert {"P-AAAAAA", "P-BBBBBB"} <= set(got)
    assert not Participant.objects.filter(pseudonym__in=got).exists()


def test_a_bulk_load_survives_a_repeated_draw(member, monkeypatch):
    """Before the fix, a demo load of 2 000 hit the unique constraint about once in 440 loads."""
    from minipublic.web.recruitment.actions import do_load_registrants

    assembly = member("Megan").assembly
    draws = itertools.chain(["P-DDDDDD", "P-DDDDDD"], (f"P-E{i:05d}" for i in range(10)))
    monkeypatch.setattr(models, "random_pseudonym", lambda: next(draws))
    # The field's default draws from the same source, as the model's own would.
    field = Participant._meta.get_field("pseudonym")
    monkeypatch.setattr(field, "default", lambda: next(draws))
    person = {"registrant": {}, "details": {"first_name": "A", "last_name": "B"}, "needs": []}
    made = do_load_registrants(assembly, [person, dict(person)], source_object=assembly)
    assert len({r.participant.pseudonym for r in made}) == 2


def test_the_field_default_skips_a_held_pseudonym(member, monkeypatch):
    """Single creates (sign-up, member added by hand) rely on the default."""
    megan = member("Megan")
    draws = iter([megan.pseudonym, "P-FFFFFF"])
    monkeypatch.setattr(models, "random_pseudonym", lambda: next(draws))
    other = Participant.objects.create(assembly=megan.assembly)
    assert other.pseudonym == "P-FFFFFF"
