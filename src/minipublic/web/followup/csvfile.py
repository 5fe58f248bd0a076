"""The tracker as one CSV format, for export and import alike.

One row per adopted recommendation::

    recommendation,title,category,reason,responsible_body,actions,due_by,
    status,percent,fidelity,recorded_on,note,evidence_url

``recommendation`` is the recommendation's number and identifies the row;
``title`` is read-only (ignored on import). The response columns are its
current published text; the status columns are its latest status update
(empty when there is none). Importing a row changes only what differs: a
different response text is saved and published as a new version; a status
that differs from the latest one is added as a new status update. So export
→ import changes nothing, and export → import → export gives the same file.
An import is all or nothing: any error refuses the whole file, and each
error names the file, the row and the column.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from minipublic.web.csvcells import read_cell, safe_cell
from minipublic.web.decisions.models import Recommendation
from minipublic.web.followup import actions
from minipublic.web.followup.models import Category, Fidelity, ImplementationStatus, Response
from minipublic.web.followup.tracker import tracker_rows

COLUMNS = (
    "recommendation",
    "title",
    "category",
    "reason",
    "responsible_body",
    "actions",
    "due_by",
    "status",
    "percent",
    "fidelity",
    "recorded_on",
    "note",
    "evidence_url",
)
MAX_ROWS = 5000


def export_csv(assembly) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in tracker_rows(assembly):
        p, u = row.published, row.latest
        writer.writerow(
            safe_cell(v)
            for v in (
                row.recommendation.number,
                row.recommendation.title,
                p.category if p else "",
                p.reason if p else "",
                p.responsible_body if p else "",
                p.actions if p else "",
                p.due_by.isoformat() if p and p.due_by else "",
                u.status if u else "",
                u.percent if u else "",
                u.fidelity if u else "",
                u.recorded_on.isoformat() if u else "",
                u.note if u else "",
                u.evidence_url if u else "",
            )
        )
    return out.getvalue()


@dataclass(frozen=True)
class _Row:
    line: int
    recommendation: Recommendation
    response: dict | None
    update: dict | None


def _date(value: str, where: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{where}: {value!r} is not a date (write YYYY-MM-DD)") from None


def read_csv(assembly, data: bytes, name: str) -> list[_Row]:
    """Parse and check the whole file; raise ValidationError listing every problem (up to 20)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": [f"{name}: the file is not UTF-8 text; save it as CSV UTF-8"]}
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise ValidationError({"file": [f"{name}: the file is empty"]})
    header = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            {
                "file": [
                    f"{name} row 1: missing column(s) {', '.join(missing)} (expected {','.join(COLUMNS)})"
                ]
            }
        )
    at = {c: header.index(c) for c in COLUMNS}
    recs = {r.number: r for r in Recommendation.objects.adopted(assembly)}
    errors: list[str] = []
    rows: list[_Row] = []
    seen: set[int] = set()
    for line, raw in enumerate(reader, start=2):
        if len(rows) + len(errors) > MAX_ROWS:
            errors.append(f"{name}: more than {MAX_ROWS} rows")
            break
        if not any(cell.strip() for cell in raw):
            continue
        cells = {c: read_cell(raw[i].strip()) if i < len(raw) else "" for c, i in at.items()}

        def err(column: str, message: str, line: int = line) -> None:
            errors.append(f"{name} row {line}, column {column}: {message}")

        try:
            number = int(cells["recommendation"])
        except ValueError:
            err("recommendation", f"{cells['recommendation']!r} is not a recommendation number")
            continue
        rec = recs.get(number)
        if rec is None:
            err("recommendation", f"no adopted recommendation has number {number}")
            continue
        if number in seen:
            err("recommendation", f"recommendation {number} appears twice")
            continue
        seen.add(number)
        response = update = None
        try:
            if cells["category"]:
                if cells["category"] not in Category.values:
                    err(
                        "category",
                        f"{cells['category']!r} is not one of {', '.join(Category.values)}",
                    )
                else:
                    response = {
                        "category": cells["category"],
                        "reason": cells["reason"],
                        "responsible_body": cells["responsible_body"],
                        "actions": cells["actions"],
                        "due_by": _date(cells["due_by"], f"{name} row {line}, column due_by"),
                    }
            if cells["status"]:
                if cells["status"] not in ImplementationStatus.values:
                    err(
                        "status",
                        f"{cells['status']!r} is not one of {', '.join(ImplementationStatus.values)}",
                    )
                elif cells["fidelity"] and cells["fidelity"] not in Fidelity.values:
                    err(
                        "fidelity",
                        f"{cells['fidelity']!r} is not one of {', '.join(Fidelity.values)}",
                    )
                elif not cells["percent"].isdecimal() or not 0 <= int(cells["percent"]) <= 100:
                    err("percent", f"{cells['percent']!r} is not a whole percentage from 0 to 100")
                else:
                    update = {
                        "status": cells["status"],
                        "percent": int(cells["percent"]),
                        "fidelity": cells["fidelity"] or Fidelity.NOT_JUDGED,
                        "recorded_on": _date(
                            cells["recorded_on"], f"{name} row {line}, column recorded_on"
                        )
                        or datetime.date.today(),
                        "note": cells["note"],
                        "evidence_url": cells["evidence_url"],
                    }
                    if (
                        response is None
                        and not Response.objects.filter(
                            recommendation=rec, published_version__gt=0
                        ).exists()
                    ):
                        err("status", "a status needs a published response (fill in category)")
                        update = None
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        rows.append(_Row(line, rec, response, update))
        if len(errors) >= 20:
            break
    if errors:
        raise ValidationError({"file": errors[:20]})
    return rows


def check_import_csv(assembly, data: bytes, *, name: str, acting_user=None, progress=None) -> dict:
    """Import the file all or nothing; returns how many responses and updates changed."""
    rows = read_csv(assembly, data, name)
    changed = {"responses": 0, "updates": 0}
    try:
        with transaction.atomic():
            for i, row in enumerate(rows, start=1):
                where = f"{name} row {row.line}"
                if row.response is not None:
                    existing = Response.objects.filter(recommendation=row.recommendation).first()
                    published = existing.published() if existing else None
                    if published is None or actions._snapshot(published) != actions._snapshot(
                        _Obj(row.response)
                    ):
                        try:
                            resp = actions.check_save_response(
                                row.recommendation, acting_user=acting_user, **row.response
                            )
                            actions.do_publish_response(resp, acting_user=acting_user)
                        except ValidationError as exc:
                            raise ValidationError(
                                {
                                    "file": [
                                        f"{where}, column {f}: {m}"
                                        for f, ms in exc.message_dict.items()
                                        for m in ms
                                    ]
                                }
                            ) from None
                        changed["responses"] += 1
                if row.update is not None:
                    resp = Response.objects.get(recommendation=row.recommendation)
                    latest = resp.updates.first()
                    same = latest is not None and all(
                        getattr(latest, k) == v for k, v in row.update.items()
                    )
                    if not same:
                        try:
                            actions.check_add_status_update(
                                resp, acting_user=acting_user, **row.update
                            )
                        except ValidationError as exc:
                            raise ValidationError(
                                {
                                    "file": [
                                        f"{where}, column {f}: {m}"
                                        for f, ms in exc.message_dict.items()
                                        for m in ms
                                    ]
                                }
                            ) from None
                        changed["updates"] += 1
                if progress is not None:
                    progress(i / len(rows), f"{i} of {len(rows)} rows")
    except ValidationError:
        raise
    return changed


class _Obj:
    """Attribute access to a dict, for comparing an imported row with a published version."""

    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)
