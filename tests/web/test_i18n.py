"""English and Welsh: the switch, the catalogue, and that the compiled file is current."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import minipublic.web

WEB = Path(minipublic.web.__file__).parent
LOCALE = WEB / "locale" / "cy" / "LC_MESSAGES"
# The site's catalogue and each app's own (``web/<app>/locale/cy/LC_MESSAGES``).
CATALOGUES = sorted(WEB.glob("**/locale/cy/LC_MESSAGES/django.po"))


@pytest.mark.django_db
def test_language_switch_changes_the_page(client):
    english = client.get("/").content.decode()
    assert "Citizens' assemblies" in english or "Citizens&#x27; assemblies" in english
    response = client.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    assert response.status_code == 302
    welsh = client.get("/").content.decode()
    assert 'lang="cy"' in welsh
    assert "Cynulliadau dinasyddion" in welsh
    assert "Neidio i’r prif gynnwys" in welsh  # the skip link too
    # Django's own strings come in Welsh as well (phase names via pgettext).
    assert "Dysgu" in welsh


@pytest.mark.django_db
def test_member_home_in_welsh(client_as, demo_assembly):
    client = client_as("member")
    client.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    page = client.get(f"/a/{demo_assembly.slug}/me/").content.decode()
    assert "Eich sesiwn nesaf" in page
    assert "Beth allwch chi ei wneud nawr" in page


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) is not installed")
@pytest.mark.parametrize(
    "po", CATALOGUES, ids=lambda p: str(p.relative_to(WEB).parent.parent.parent)
)
def test_every_string_is_translated(tmp_path, po):
    """msgfmt finds no untranslated or fuzzy entry, and placeholders survive translation."""
    out = tmp_path / "check.mo"
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(out), str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "translated message" in stats
    assert "untranslated" not in stats and "fuzzy" not in stats, stats
    with out.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    assert len(catalog) > (200 if po.parent == LOCALE else 0)
    for msgid, msgstr in catalog.items():
        if not isinstance(msgid, str) or not msgid:
            continue  # plural keys and the header
        msgid = msgid.split("\x04", 1)[-1]  # drop a pgettext context
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(
            re.findall(r"%\(\w+\)s", msgstr)
        ), msgid


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) is not installed")
@pytest.mark.parametrize(
    "po", CATALOGUES, ids=lambda p: str(p.relative_to(WEB).parent.parent.parent)
)
def test_compiled_catalogue_is_current(tmp_path, po):
    """The committed .mo is what msgfmt makes from the committed .po."""
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(out), str(po)], check=True)
    assert out.read_bytes() == po.with_suffix(".mo").read_bytes(), (
        "run: cd src/minipublic/web && django-admin compilemessages"
    )
