"""English and Welsh: the switch, the catalogue, and that the compiled file is current."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import minipublic.web

LOCALE = Path(minipublic.web.__file__).parent / "locale" / "cy" / "LC_MESSAGES"


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


def _entries(po: str):
    for block in po.split("\n\n")[1:]:
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', block.split("msgstr")[0], re.M))
        msgstr = "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[1]))
        yield msgid, msgstr, "#, fuzzy" in block


def test_every_string_is_translated():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = list(_entries(po))
    assert len(entries) > 200
    untranslated = [i for i, s, _ in entries if not s]
    fuzzy = [i for i, _, f in entries if f]
    assert not untranslated, untranslated[:5]
    assert not fuzzy, fuzzy[:5]
    # Placeholders survive translation.
    for msgid, msgstr, _ in entries:
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(
            re.findall(r"%\(\w+\)s", msgstr)
        ), msgid


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) is not installed")
def test_compiled_catalogue_is_current(tmp_path):
    """The committed .mo is what msgfmt makes from the committed .po."""
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(out), str(LOCALE / "django.po")], check=True)
    assert out.read_bytes() == (LOCALE / "django.mo").read_bytes(), (
        "run: cd src/minipublic/web && django-admin compilemessages"
    )
