"""Whole-assembly archive: every row of one assembly in one zip file, and back.

The archive holds, for each kind of row (each model) that belongs to the
assembly, a JSON file in Django's serialisation (``data/<app>.<model>.json``)
and the same rows as CSV for people who read them in a spreadsheet
(``csv/<app>.<model>.csv``), plus ``manifest.json`` with the format version,
the assembly's slug, the number of rows of each kind and the SHA-256 of every
file. "Belongs to the assembly" means: would be deleted with it (Django's
deletion collector finds every row that cascades from it, in every app), so a
new app's rows are archived without any change here.

Staff accounts the rows refer to travel as their email address and name only
(never a password): importing makes the missing accounts without a usable
password, and leaves existing accounts as they are.

The bytes are deterministic: rows sorted by primary key, files in a fixed
order with a fixed time stamp, so export → import → export gives identical
files (checked by the tests).

Notes
-----
The archive holds personal data (the members' contact details) as the site
does: store it as carefully as the database. For research, use the
pseudonymised exports instead.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from minipublic.errors import MinipublicError
from minipublic.web.assemblies.models import Assembly
from minipublic.web.csvcells import safe_cell

FORMAT = "minipublic-assembly-archive"
VERSION = 1
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


class ArchiveError(MinipublicError):
    """An archive that cannot be imported: the message says why."""


@dataclass(frozen=True)
class ArchiveSummary:
    slug: str
    counts: dict[str, int]
    files: int


def _label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _reverse_relations(model: type[models.Model]) -> list:
    """Foreign keys and one-to-ones pointing at *model*, hidden ones (``related_name="+"``)
    included; many-to-many link tables are left out (they travel with their owner's row)."""
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created
        and not f.concrete
        and (f.one_to_many or f.one_to_one)
        and f.field.concrete
        and not f.related_model._meta.auto_created
    ]


def _collect(assembly: Assembly) -> dict[type[models.Model], list[models.Model]]:
    """Every row that belongs to *assembly*: the rows that point to it, directly or in a chain.

    Follows every reverse relation (foreign keys and one-to-one fields pointing
    at a row already collected) of the site's own apps, whatever its
    ``on_delete``, until no new row appears.
    """
    site_apps = {app.rsplit(".", 1)[-1] for app in settings.MINIPUBLIC_APPS}
    found: dict[type[models.Model], dict] = defaultdict(dict)
    found[Assembly][assembly.pk] = assembly
    frontier: dict[type[models.Model], set] = {Assembly: {assembly.pk}}
    while frontier:
        next_frontier: dict[type[models.Model], set] = defaultdict(set)
        for model, pks in frontier.items():
            for rel in _reverse_relations(model):
                target = rel.related_model._meta.concrete_model
                if target._meta.app_label not in site_apps:
                    continue
                for obj in target._base_manager.filter(**{f"{rel.field.name}__in": pks}):
                    if obj.pk not in found[target]:
                        found[target][obj.pk] = obj
                        next_frontier[target].add(obj.pk)
        frontier = {m: p for m, p in next_frontier.items() if p}
    return {m: [rows[k] for k in sorted(rows, key=str)] for m, rows in found.items() if rows}


def _dependency_order(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    """Models sorted so that every model comes after the models it points to."""
    present = set(models_)
    ordered: list[type[models.Model]] = []
    seen: set = set()

    def visit(model, stack=()):
        if model in seen or model in stack:
            return
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            target = getattr(field, "related_model", None)
            if field.is_relation and target in present and target is not model:
                visit(target._meta.concrete_model, (*stack, model))
        seen.add(model)
        ordered.append(model)

    for model in sorted(models_, key=_label):
        visit(model)
    return ordered


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _users_referred_to(rows: dict) -> list:
    User = get_user_model()
    ids = set()
    for model, objs in rows.items():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                ids.update(getattr(o, field.attname) for o in objs)
    ids.discard(None)
    return list(User.objects.filter(pk__in=ids).order_by("email"))


def _csv_text(model, objs) -> str:
    fields = model._meta.concrete_fields
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.attname for f in fields])
    for obj in objs:
        row = []
        for f in fields:
            value = getattr(obj, f.attname)
            if isinstance(value, dict | list):
                value = json.dumps(value, sort_keys=True, ensure_ascii=False)
            row.append(safe_cell("" if value is None else str(value)))
        writer.writerow(row)
    return out.getvalue()


def export_assembly(assembly: Assembly) -> bytes:
    """Return the zip archive of *assembly* (see the module docstring)."""
    rows = _collect(assembly)
    User = get_user_model()
    files: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    users = [{"email": u.email, "display_name": u.display_name} for u in _users_referred_to(rows)]
    files["data/accounts.json"] = json.dumps(users, indent=1, ensure_ascii=False).encode()
    order = _dependency_order([m for m in rows if m is not User])
    for model in order:
        label = _label(model)
        text = serializers.serialize(
            "json", rows[model], indent=1, use_natural_foreign_keys=True, cls=_Encoder
        )
        files[f"data/{label}.json"] = text.encode()
        files[f"csv/{label}.csv"] = _csv_text(model, rows[model]).encode()
        counts[label] = len(rows[model])
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "assembly": assembly.slug,
        "order": [_label(m) for m in order],
        "counts": counts,
        "accounts": len(users),
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    files["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=True).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ["manifest.json", *sorted(n for n in files if n != "manifest.json")]:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buffer.getvalue()


def _read(data: bytes, source: str) -> tuple[dict, dict[str, bytes]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        files = {name: zf.read(name) for name in zf.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveError(
            f"{source}: not a minipublic archive (not a readable zip file: {exc})"
        ) from None
    if "manifest.json" not in files:
        raise ArchiveError(f"{source}: not a minipublic archive (no manifest.json)")
    try:
        manifest = json.loads(files["manifest.json"])
    except ValueError as exc:
        raise ArchiveError(f"{source}: manifest.json is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{source}: manifest.json does not describe a minipublic archive")
    if manifest.get("version") != VERSION:
        raise ArchiveError(
            f"{source}: archive format version {manifest.get('version')!r}; "
            f"this minipublic reads version {VERSION}"
        )
    expected = manifest.get("sha256") or {}
    for name, digest in sorted(expected.items()):
        if name not in files:
            raise ArchiveError(f"{source}: {name} is listed in manifest.json but missing")
        if hashlib.sha256(files[name]).hexdigest() != digest:
            raise ArchiveError(f"{source}: {name} has been changed (its SHA-256 does not match)")
    extra = set(files) - set(expected) - {"manifest.json"}
    if extra:
        raise ArchiveError(f"{source}: files not listed in manifest.json: {sorted(extra)}")
    return manifest, files


def import_assembly(data: bytes, *, source: str = "archive") -> ArchiveSummary:
    """Create the archived assembly in this site, all or nothing.

    Refuses an archive whose assembly (slug) exists already, or whose rows
    collide with rows of this site; accounts that exist (same email) are kept
    as they are and the rows refer to them.
    """
    manifest, files = _read(data, source)
    order = manifest.get("order")
    data_files = {n[len("data/") : -len(".json")] for n in files if n.startswith("data/")} - {
        "accounts"
    }
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(data_files):
        raise ArchiveError(
            f"{source}: manifest.json's order must list every data file exactly once"
        )
    try:
        archived = json.loads(files.get("data/assemblies.assembly.json", b"[]"))
        slug = archived[0]["fields"]["slug"]
    except (ValueError, LookupError, TypeError):
        raise ArchiveError(f"{source}: data/assemblies.assembly.json holds no assembly") from None
    if manifest.get("assembly") != slug:
        raise ArchiveError(
            f"{source}: manifest.json names the assembly {manifest.get('assembly')!r}, "
            f"but the archive holds {slug!r}"
        )
    if Assembly.objects.filter(slug=slug).exists():
        raise ArchiveError(f"{source}: an assembly with the web address name {slug!r} exists")
    User = get_user_model()
    try:
        accounts = json.loads(files.get("data/accounts.json", b"[]"))
    except ValueError as exc:
        raise ArchiveError(f"{source}: data/accounts.json is not valid JSON ({exc})") from None
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            for account in accounts:
                email = str(account.get("email", "")).strip().lower()
                if not email:
                    raise ArchiveError(f"{source}: data/accounts.json has an account without email")
                if not User.objects.filter(email__iexact=email).exists():
                    User.objects.create_user(
                        email, display_name=str(account.get("display_name", ""))[:150]
                    )
            for label in order:
                name = f"data/{label}.json"
                try:
                    apps.get_model(label)
                except (LookupError, ValueError):
                    raise ArchiveError(
                        f"{source}: {name}: this site has no kind of row {label!r} "
                        "(an archive from a newer minipublic?)"
                    ) from None
                n = 0
                try:
                    objects = list(
                        serializers.deserialize(
                            "json", files[name].decode(), handle_forward_references=False
                        )
                    )
                except Exception as exc:  # the serializer wraps every problem differently
                    raise ArchiveError(f"{source}: {name}: cannot be read ({exc})") from None
                for obj in objects:
                    model = type(obj.object)
                    if model._default_manager.filter(pk=obj.object.pk).exists():
                        raise ArchiveError(
                            f"{source}: {name}: row {obj.object.pk} exists in this site already; "
                            "import into an empty site"
                        )
                    obj.save()
                    n += 1
                counts[label] = n
    except ArchiveError:
        raise
    except Exception as exc:
        raise ArchiveError(f"{source}: the archive could not be imported ({exc})") from None
    return ArchiveSummary(slug=slug, counts=counts, files=len(files))
