"""Object ids of one assembly, asked for under another assembly's address, are not found.

Every row of the page-access table (page_access.py) whose address names an
object of the demo assembly (a ``{placeholder}`` or a number in the path) is
asked for again under the other demo assembly's slug, by that assembly's
organiser (``other_staff``, who may do everything there) and by its member
(``other_member``). The answer must be exactly what the same person gets for
an id that exists nowhere: 404, or the 403 the page gives before it looks the
object up (the phase or the role refuses it); a signed link, which cannot be
made up, must be 404. So a foreign id cannot be used
to reach, change or even detect another assembly's rows.
"""

import re

import pytest

from minipublic.web.demo import DEMO_SLUG, OTHER_SLUG

from .page_access import PAGES, PLACEHOLDERS

_OBJECT = re.compile(r"{(?!demo}|other})(\w+)}")
_NUMBER = re.compile(r"/(\d+)/")

# Rows whose object is the other assembly's own (these test the reverse direction).
ROWS = [
    p
    for p in PAGES
    if p.url.startswith("/a/{demo}/")
    and (_OBJECT.search(p.url) or _NUMBER.search(p.url))
    and "other" not in p.url
]

_ROTATE = {}
for _group in ("0123456789", "abcdef", "ghijklmnopqrstuvwxyz", "ABCDEF", "GHIJKLMNOPQRSTUVWXYZ"):
    _ROTATE.update({c: _group[(i + 1) % len(_group)] for i, c in enumerate(_group)})


def _nowhere(value: str) -> str:
    """A value shaped like *value* (same length and characters classes) that names no row.

    Digits become a huge id within the int converter; other characters move to
    the next one of their class, so slug, uuid and code patterns still match.
    """
    if value.isdigit():
        return "2147483000"
    return "".join(_ROTATE.get(c, c) for c in value)


def _urls(page) -> tuple[str, str]:
    """(the foreign address, the same address with ids that exist nowhere)."""
    foreign = page.url.replace("{demo}", OTHER_SLUG)
    nowhere = foreign
    for name in _OBJECT.findall(page.url):
        value = str(PLACEHOLDERS[name]())
        foreign = foreign.replace(f"{{{name}}}", value)
        nowhere = nowhere.replace(f"{{{name}}}", _nowhere(value))
    nowhere = _NUMBER.sub(lambda m: "/2147483000/", nowhere)
    return foreign, nowhere


CASES = [
    pytest.param(p, who, id=f"{p.method}:{p.url}:{who}")
    for p in ROWS
    for who in ("other_staff", "other_member")
]


def test_rows_are_found():
    """The table has object pages of every app that has any (the generated list is not empty)."""
    apps = {p.name.split(":")[0] for p in ROWS}
    assert {"decisions", "learning", "privacy", "recruitment", "selection"} <= apps, apps


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "who"), CASES)
def test_foreign_id_is_like_no_id(page, who, client_as):
    """A demo object's id under the other assembly: 404, or the refusal any id gets."""
    foreign, nowhere = _urls(page)
    assert DEMO_SLUG not in foreign
    client = client_as(who)
    got = getattr(client, page.method)(foreign, data=page.data).status_code
    baseline = getattr(client, page.method)(nowhere, data=page.data).status_code
    assert got in {403, 404, 405}, f"{who} {page.method.upper()} {foreign}: got {got}"
    if baseline == 400:
        # A signed link cannot be forged: the made-up one fails its signature
        # (400), while the real, foreign one must be not found.
        assert got == 404, f"{who} {page.method.upper()} {foreign}: got {got}"
        return
    assert got == baseline, (
        f"{who} {page.method.upper()} {foreign}: got {got}, but {baseline} for an id "
        f"that exists nowhere ({nowhere})"
    )
