"""Invitation letters (PDF, one page per household), the mail-merge CSV and the door-knocking list."""

import csv
import io
import re
from pathlib import Path

from fpdf import FPDF

from minipublic.web.csvcells import safe_cell
from minipublic.web.recruitment.models import Address

MAIL_MERGE_COLUMNS = ("letter_code", "address", "street", "postcode", "area", "register_url")


def _font_path() -> Path | None:
    """DejaVu Sans from matplotlib: covers Welsh letters (ŵ, ŷ) that PDF core fonts lack."""
    try:
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    except ImportError:
        return None
    return path if path.exists() else None


LETTER_EN = (
    "Dear resident,\n\n"
    "Your household has been chosen at random to be invited to {title}, a citizens' "
    'assembly asked by {commissioner}: "{question}"\n\n'
    "A citizens' assembly is a group of local people, chosen by lottery so that it looks "
    "like the whole community, who learn about a question, talk it through and make "
    "recommendations. No experience is needed. Members are paid for their time, and we "
    "cover caring costs, travel, interpreters and access needs.\n\n"
    "To put your name forward, go to {url} and enter your code. Only one person from "
    "your household can register. It takes about five minutes."
)
LETTER_CY = (
    "Annwyl breswylydd,\n\n"
    "Mae eich aelwyd wedi cael ei dewis ar hap i gael gwahoddiad i {title}, cynulliad "
    'dinasyddion a ofynnwyd gan {commissioner}: "{question}"\n\n'
    "Mae cynulliad dinasyddion yn grŵp o bobl leol, wedi'u dewis drwy loteri fel ei fod yn "
    "edrych fel y gymuned gyfan, sy'n dysgu am gwestiwn, yn ei drafod ac yn gwneud "
    "argymhellion. Does dim angen profiad. Mae aelodau'n cael eu talu am eu hamser, ac rydym "
    "yn talu costau gofal, teithio, cyfieithwyr ac anghenion mynediad.\n\n"
    "I gynnig eich enw, ewch i {url} a rhowch eich cod. Dim ond un person o bob aelwyd sy'n "
    "cael cofrestru. Mae'n cymryd tua phum munud."
)


def letters_pdf(assembly, addresses, *, register_url: str, progress=None) -> bytes:
    """Return a PDF with one letter per invited address.

    ``progress(fraction, message)`` is called every 50 letters when given.
    About 20 ms a page, so a city's letters are made by a background task
    (:func:`minipublic.web.recruitment.tasks.run_make_letters`).

    Each page has the address block, a short friendly letter (in Welsh too
    when the assembly offers Welsh), the household's registration code in
    large type and the short web address.
    """
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"Invitation letters: {assembly.title}")
    font = _font_path()
    family = "Helvetica"
    if font is not None:
        pdf.add_font("DejaVu", "", str(font))
        family = "DejaVu"

    def text(value: str) -> str:
        return value if font is not None else value.encode("latin-1", "replace").decode("latin-1")

    welsh = "cy" in (assembly.languages or [])
    body = LETTER_EN.format(
        title=assembly.title,
        commissioner=assembly.commissioner,
        question=assembly.question,
        url=register_url,
    )
    # Every letter has the same text: break it into lines once (fpdf2's line
    # breaking is slow), then print the lines on each page.
    scratch = FPDF(format="A4")
    scratch.add_page()
    if font is not None:
        scratch.add_font("DejaVu", "", str(font))
    scratch.set_font(family, size=16)
    title_lines = _lines(scratch, text(assembly.title), 8)
    scratch.set_font(family, size=11)
    body_lines = _lines(scratch, text(body), 5.5)
    # The Welsh letter in full, with the assembly's Welsh texts (English while unwritten).
    cy_title = assembly.title_cy or assembly.title
    scratch.set_font(family, size=16)
    cy_title_lines = _lines(scratch, text(cy_title), 8) if welsh else []
    scratch.set_font(family, size=11)
    cy_lines = _lines(
        scratch,
        text(
            LETTER_CY.format(
                title=cy_title,
                commissioner=assembly.commissioner,
                question=assembly.question_cy or assembly.question,
                url=register_url,
            )
        ),
        5.5,
    )
    addresses = list(addresses)
    n = len(addresses)
    for i, address in enumerate(addresses):
        if progress is not None and i % 50 == 0:
            progress(i / max(n, 1), f"{i} of {n} letters")
        pdf.add_page()
        pdf.set_font(family, size=11)
        for line in (address.address, address.postcode):
            if line:
                pdf.cell(0, 5, text(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(10)
        pdf.set_font(family, size=16)
        _print_lines(pdf, title_lines, 8)
        pdf.ln(3)
        pdf.set_font(family, size=11)
        _print_lines(pdf, body_lines, 5.5)
        pdf.ln(6)
        pdf.set_font(family, size=12)
        pdf.cell(0, 8, text("Your code / Eich cod:"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=26)
        pdf.cell(0, 14, address.letter_code or "", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=12)
        pdf.cell(0, 8, text(register_url), new_x="LMARGIN", new_y="NEXT")
        if welsh:
            pdf.ln(6)
            pdf.set_font(family, size=16)
            _print_lines(pdf, cy_title_lines, 8)
            pdf.ln(3)
            pdf.set_font(family, size=11)
            _print_lines(pdf, cy_lines, 5.5)
    return bytes(pdf.output())


def _lines(pdf, value: str, height: float) -> list[str]:
    return pdf.multi_cell(0, height, value, dry_run=True, output="LINES")


def _print_lines(pdf, lines: list[str], height: float) -> None:
    for line in lines:
        pdf.cell(0, height, line, new_x="LMARGIN", new_y="NEXT")


def mail_merge_csv(addresses, *, register_url: str) -> str:
    """Return the invited addresses as CSV for a mail merge (one row per letter)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MAIL_MERGE_COLUMNS)
    for a in addresses:
        # Cells come from an uploaded file: never let a spreadsheet run them as formulas.
        writer.writerow(
            [
                safe_cell(v)
                for v in (a.letter_code, a.address, a.street, a.postcode, a.area, register_url)
            ]
        )
    return out.getvalue()


POST_COLUMNS = (
    "registration_number",
    "name",
    "address",
    "language",
    "message",
    "written_at",
    "subject",
    "text",
)


def post_csv(messages) -> str:
    """Messages to registrants without an email address, as a mail-merge CSV (one row a letter).

    Each row has the person's name and postal address (from their personal
    details), the language and the full text of the letter in that language.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(POST_COLUMNS)
    for m in messages:
        details = getattr(m.registrant.participant, "personal_details", None)
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    m.registrant.pseudonym,
                    details.full_name if details else "",
                    details.address if details else "",
                    m.language,
                    m.kind,
                    m.created_at.date().isoformat(),
                    m.subject,
                    m.body,
                )
            ]
        )
    return out.getvalue()


def house_number_key(address: str) -> tuple:
    """Sort key that puts house numbers in numeric order: 1, 2, 10, 10A, 11, 100.

    The first number in the address is the house number; addresses without
    one come after the numbered ones, in alphabetical order.

    >>> sorted(["10 High St", "2 High St", "1 High St", "10A High St"], key=house_number_key)
    ['1 High St', '2 High St', '10 High St', '10A High St']
    """
    match = re.search(r"(\d+)\s*([A-Za-z]?)\b", address)
    if match is None:
        return (1, 0, "", address.lower())
    return (0, int(match.group(1)), match.group(2).upper(), address.lower())


def door_knocking_rows(assembly, *, min_weight: float = 1.0 + 1e-9):
    """Invited addresses with no registration, in areas weighted above 1, by area and street.

    Returns a list of ``(area, street, [Address, ...])`` in print order:
    areas and streets alphabetically, houses by number (:func:`house_number_key`).
    """
    from minipublic.web.recruitment.models import AreaWeight

    areas = list(
        AreaWeight.objects.filter(assembly=assembly, weight__gte=min_weight).values_list(
            "area", flat=True
        )
    )
    rows = (
        Address.objects.filter(
            assembly=assembly, invited=True, area__in=areas, registrant__isnull=True
        )
        .order_by("area", "street")
        .only("area", "street", "address", "postcode", "letter_code", "door_knocked_at")
    )
    groups: list[tuple[str, str, list]] = []
    for a in rows:
        if not groups or groups[-1][0] != a.area or groups[-1][1] != a.street:
            groups.append((a.area, a.street, []))
        groups[-1][2].append(a)
    for _area, _street, homes in groups:
        homes.sort(key=lambda a: house_number_key(a.address))
    return groups
