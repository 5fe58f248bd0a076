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
    assert "Ble mae’r cynulliad nawr" in page


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


# --- every string in a template is in the Welsh catalogue -----------------------

# ``{% translate "…" %}`` / ``{% trans '…' %}`` (with an optional context), and
# ``{% blocktranslate %}…{% endblocktranslate %}`` bodies (singular part).
_TRANSLATE = re.compile(
    r"""{%\s*trans(?:late)?\s+(?P<q>["'])(?P<msgid>.*?)(?P=q)(?:\s+context\s+(?P<cq>["'])(?P<ctx>.*?)(?P=cq))?"""
)
_BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?(?P<args>[^%]*)%}(?P<body>.*?)(?:{%\s*plural\s*%}.*?)?{%\s*endblocktrans(?:late)?\s*%}",
    re.S,
)


def _template_msgids(path: Path) -> set[tuple[str, str]]:
    """(context, msgid) of every translatable string in one template, as makemessages sees it."""
    text = path.read_text(encoding="utf-8")
    found = set()
    for m in _TRANSLATE.finditer(text):
        # makemessages writes a literal % as %% (python-format), as it is looked up.
        found.add((m.group("ctx") or "", m.group("msgid").replace("%", "%%")))
    for m in _BLOCK.finditer(text):
        args = m.group("args")
        if "trimmed" in args:
            continue  # whitespace is rewritten: makemessages' job, not this check's
        ctx = re.search(r"""context\s+(["'])(.*?)\1""", args)
        body = re.sub(r"{{\s*(\w+)[^}]*}}", r"%(\1)s", m.group("body").replace("%", "%%"))
        found.add((ctx.group(2) if ctx else "", body))
    return found


def _catalogue(po: Path) -> dict[str, str]:
    out = po.parent / "_check.mo"
    try:
        subprocess.run(["msgfmt", "-o", str(out), str(po)], check=True)
        with out.open("rb") as fh:
            return gettext.GNUTranslations(fh)._catalog
    finally:
        out.unlink(missing_ok=True)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) is not installed")
def test_every_template_string_is_in_the_welsh_catalogue(tmp_path):
    """Fails when a template's string has no Welsh translation in its catalogue.

    A template of an app with its own catalogue (``web/<app>/locale``) is
    checked against that one and the site's; every other template against
    the site's catalogue.
    """
    site = WEB / "locale" / "cy" / "LC_MESSAGES" / "django.po"

    def translated(catalog) -> set[tuple[str, str]]:
        keys = set()
        for msgid, msgstr in catalog.items():
            if isinstance(msgid, tuple):
                msgid = msgid[0]
            if not msgid or not msgstr:
                continue
            ctx, _sep, mid = msgid.rpartition("\x04")
            keys.add((ctx, mid))
        return keys

    known_site = translated(_catalogue(site))
    missing = []
    for template in sorted(WEB.glob("**/templates/**/*")):
        if template.suffix not in {".html", ".txt"}:
            continue
        app_dir = template.relative_to(WEB).parts[0]
        known = known_site
        own = WEB / app_dir / "locale" / "cy" / "LC_MESSAGES" / "django.po"
        if own.exists():
            known = known | translated(_catalogue(own))
        for key in _template_msgids(template):
            if key not in known:
                missing.append(f"{template.relative_to(WEB)}: {key[1][:70]!r}")
    assert not missing, "not in the Welsh catalogue:\n" + "\n".join(missing)
