"""The questions a wave can ask: the cohesion instrument bank, the OECD-structured template, own items.

Three sources, one shape (:class:`ItemSpec`):

* the cohesion core's instrument bank (:func:`minipublic.cohesion.instrument_bank`)
  — its English wording, and Welsh wording written here (the bank ships none);
* :data:`TEMPLATE_ITEMS`, a member questionnaire that follows the structure of the
  member questionnaire in the OECD *Evaluation Guidelines for Representative
  Deliberative Processes* (2021, Annex C): process design integrity,
  deliberative experience, pathways to impact, with some items asked at the
  start and again at the end. The wording is minipublic's own paraphrase of
  that structure, not the OECD's text (we could not confirm that the OECD's
  licence allows copying its wording into open-source software);
* the evaluator's own :class:`~minipublic.web.evaluation.models.Item` rows.

The Welsh text was written by the developers and must be checked by a
professional translator before a public body relies on it.
"""

import random
from dataclasses import dataclass, field
from functools import cache

from django import forms
from django.utils.translation import get_language

from minipublic.cohesion import instrument_bank

# Answer labels of the bank's 5-point items, keyed by the bank's response_scale text.
_FIVE = {
    "1 = not at all, 2 = very little, 3 = some, 4 = a lot, 5 = a great deal": [
        ("Not at all", "Dim o gwbl"),
        ("Very little", "Ychydig iawn"),
        ("Some", "Rhywfaint"),
        ("A lot", "Llawer"),
        ("A great deal", "Llawer iawn"),
    ],
    "1 = strongly disagree, 5 = strongly agree": [
        ("Strongly disagree", "Anghytuno’n gryf"),
        ("Disagree", "Anghytuno"),
        ("Neither agree nor disagree", "Dim yn cytuno nac yn anghytuno"),
        ("Agree", "Cytuno"),
        ("Strongly agree", "Cytuno’n gryf"),
    ],
    "1 = very unlikely, 5 = very likely": [
        ("Very unlikely", "Annhebygol iawn"),
        ("Unlikely", "Annhebygol"),
        ("Neither likely nor unlikely", "Dim yn debygol nac yn annhebygol"),
        ("Likely", "Tebygol"),
        ("Very likely", "Tebygol iawn"),
    ],
    "1 = not at all worried, 5 = extremely worried": [
        ("Not at all worried", "Dim yn poeni o gwbl"),
        ("Not very worried", "Ddim yn poeni llawer"),
        ("Somewhat worried", "Yn poeni rhywfaint"),
        ("Very worried", "Yn poeni’n fawr"),
        ("Extremely worried", "Yn poeni’n eithriadol"),
    ],
    "1 = strongly in favour, 5 = strongly against": [
        ("Strongly in favour", "Yn gryf o blaid"),
        ("Somewhat in favour", "Rhywfaint o blaid"),
        ("Neither in favour nor against", "Dim o blaid nac yn erbyn"),
        ("Somewhat against", "Rhywfaint yn erbyn"),
        ("Strongly against", "Yn gryf yn erbyn"),
    ],
}
AGREE = _FIVE["1 = strongly disagree, 5 = strongly agree"]

# End labels of the 0-10 and 0-100 items, in Welsh (English comes from the bank).
_ENDS_CY = {
    "0 = no trust at all, 10 = complete trust": ("dim ymddiriedaeth o gwbl", "ymddiriedaeth lwyr"),
    "0 = extremely dissatisfied, 10 = extremely satisfied": (
        "anfodlon iawn",
        "bodlon iawn",
    ),
    "0 = you can't be too careful, 10 = most people can be trusted": (
        "allwch chi ddim bod yn rhy ofalus",
        "gellir ymddiried yn y rhan fwyaf o bobl",
    ),
    "0 = most people would try to take advantage of me, 10 = most people would try to be fair": (
        "byddai’r rhan fwyaf yn ceisio manteisio arnaf",
        "byddai’r rhan fwyaf yn ceisio bod yn deg",
    ),
    "0 = people mostly look out for themselves, 10 = people mostly try to be helpful": (
        "mae pobl yn edrych ar ôl eu hunain gan amlaf",
        "mae pobl yn ceisio helpu gan amlaf",
    ),
    "0 = not at all, 10 = a great deal": ("dim o gwbl", "llawer iawn"),
    "0 = very cold / unfavourable, 50 = neither, 100 = very warm / favourable": (
        "oer iawn / anffafriol",
        "cynnes iawn / ffafriol",
    ),
}

# Welsh wording of the bank's items (the bank's text_cy is empty).
BANK_CY = {
    "trust_parliament": "Ar raddfa o 0 i 10, faint ydych chi’n bersonol yn ymddiried yn Senedd y DU? Mae 0 yn golygu dim ymddiriedaeth o gwbl a 10 yn golygu ymddiriedaeth lwyr.",
    "trust_politicians": "Faint ydych chi’n bersonol yn ymddiried mewn gwleidyddion? (0-10)",
    "trust_parties": "Faint ydych chi’n bersonol yn ymddiried mewn pleidiau gwleidyddol? (0-10)",
    "trust_legal": "Faint ydych chi’n bersonol yn ymddiried yn y system gyfreithiol? (0-10)",
    "trust_police": "Faint ydych chi’n bersonol yn ymddiried yn yr heddlu? (0-10)",
    "satisfied_democracy": "At ei gilydd, pa mor fodlon ydych chi â’r ffordd y mae democratiaeth yn gweithio yn y DU?",
    "satisfied_government": "Gan feddwl am lywodraeth y DU, pa mor fodlon ydych chi â’r ffordd y mae’n gwneud ei gwaith?",
    "efficacy_say": "I ba raddau y byddech chi’n dweud bod y system wleidyddol yn y DU yn caniatáu i bobl fel chi gael llais yn yr hyn y mae’r llywodraeth yn ei wneud?",
    "efficacy_influence": "Ac i ba raddau y mae’r system wleidyddol yn y DU yn caniatáu i bobl fel chi ddylanwadu ar wleidyddiaeth?",
    "efficacy_officials_care": "Does dim llawer o ots gan swyddogion cyhoeddus beth mae pobl fel fi yn ei feddwl.",
    "thermo_voted_differently": "Pa mor gynnes neu oer ydych chi’n teimlo tuag at bobl sy’n pleidleisio’n wahanol i chi?",
    "thermo_climate_views": "Pa mor gynnes neu oer ydych chi’n teimlo tuag at bobl sydd â barn wahanol i chi am newid hinsawdd?",
    "thermo_other_area": "Pa mor gynnes neu oer ydych chi’n teimlo tuag at bobl sy’n byw mewn rhan wahanol o’r ardal hon?",
    "thermo_other_background": "Pa mor gynnes neu oer ydych chi’n teimlo tuag at bobl o gefndir cymdeithasol neu ethnig gwahanol i’ch un chi?",
    "open_listen": "Rwy’n fodlon gwrando’n ofalus ar bobl sydd â barn wahanol i mi am bolisi hinsawdd.",
    "open_reasons": "Fel arfer mae gan bobl sy’n anghytuno â mi ar faterion pwysig resymau sy’n werth eu clywed.",
    "open_avoid": "Rwy’n osgoi siarad am wleidyddiaeth gyda phobl sy’n anghytuno â mi.",
    "open_change_mind": "Gallwn i newid fy meddwl ar fater pwysig ar ôl clywed barn pobl eraill.",
    "intend_vote_local": "Pa mor debygol ydych chi o bleidleisio yn yr etholiad lleol nesaf?",
    "intend_contact": "Yn y 12 mis nesaf, pa mor debygol ydych chi o gysylltu â gwleidydd, cynghorydd neu swyddog cyhoeddus am fater sy’n bwysig i chi?",
    "intend_group": "Yn y 12 mis nesaf, pa mor debygol ydych chi o weithio mewn plaid wleidyddol, grŵp ymgyrchu neu grŵp cymunedol?",
    "intend_consultation": "Yn y 12 mis nesaf, pa mor debygol ydych chi o gymryd rhan mewn ymgynghoriad cyhoeddus neu gynulliad dinasyddion arall?",
    "trust_people": "A siarad yn gyffredinol, a fyddech chi’n dweud y gellir ymddiried yn y rhan fwyaf o bobl, neu na allwch chi fod yn rhy ofalus wrth ddelio â phobl?",
    "people_fair": "Ydych chi’n meddwl y byddai’r rhan fwyaf o bobl yn ceisio manteisio arnoch chi pe bai ganddyn nhw’r cyfle, neu a fydden nhw’n ceisio bod yn deg?",
    "people_helpful": "A fyddech chi’n dweud bod pobl yn ceisio bod yn gymwynasgar y rhan fwyaf o’r amser, neu eu bod yn edrych ar ôl eu hunain gan amlaf?",
    "support_ask_help": "Pe bai angen help arnaf, mae pobl yn yr ardal hon y gallwn ofyn iddyn nhw.",
    "support_belong": "Rwy’n teimlo fy mod yn perthyn i’r ardal hon.",
    "support_get_on": "Mae’r ardal leol hon yn lle mae pobl o gefndiroedd gwahanol yn cyd-dynnu’n dda.",
    "support_new_contacts": "Yn ystod y misoedd diwethaf rwyf wedi dod i adnabod pobl na fyddwn wedi cwrdd â nhw fel arall.",
    "support_lonely": "Rwy’n aml yn teimlo nad oes gen i neb i droi ato.",
    "climate_worry": "Pa mor bryderus ydych chi am newid hinsawdd?",
    "climate_responsibility": "I ba raddau ydych chi’n teimlo cyfrifoldeb personol i geisio lleihau newid hinsawdd?",
    "climate_fossil_tax": "I ba raddau ydych chi o blaid neu yn erbyn codi trethi ar danwydd ffosil, fel olew, nwy a glo?",
    "climate_renewables": "I ba raddau ydych chi o blaid neu yn erbyn defnyddio arian cyhoeddus i gymorthdalu ynni adnewyddadwy fel pŵer gwynt a solar?",
    "climate_appliances": "I ba raddau ydych chi o blaid neu yn erbyn cyfraith sy’n gwahardd gwerthu’r offer tŷ lleiaf effeithlon o ran ynni?",
}


@dataclass(frozen=True)
class ItemSpec:
    """One question, ready to render: kind, both wordings, answer options."""

    code: str
    kind: str
    text_en: str
    text_cy: str
    choices: tuple = ()  # ((value, label_en, label_cy), ...)
    randomise_choices: bool = False
    source: str = ""
    scale: str = ""
    level: str = ""
    group: str = ""  # "cohesion", "policy", "template" or "own"
    asked: str = ""  # template items: "start and end" or "end"

    def text(self, language: str | None = None) -> str:
        language = language or get_language() or "en"
        return self.text_cy if language.startswith("cy") and self.text_cy else self.text_en

    def choices_in(self, language: str | None = None) -> list[tuple]:
        welsh = (language or get_language() or "en").startswith("cy")
        return [(str(v), cy if welsh and cy else en) for v, en, cy in self.choices]

    @property
    def numeric(self) -> bool:
        return self.kind in ("scale10", "likert", "thermometer")


def _ends(response_scale: str) -> tuple[str, str]:
    parts = [p.split("=", 1)[1].strip() for p in response_scale.split(",") if "=" in p]
    return parts[0], parts[-1]


@cache
def bank_items() -> dict[str, ItemSpec]:
    """The instrument bank's cohesion and policy items as :class:`ItemSpec` (registration items left out)."""
    out = {}
    for rec in instrument_bank(form="full").itertuples(index=False):
        if rec.level == "registration":
            continue  # asked by the registration form's own barriers question
        lo, hi = int(rec.min), int(rec.max)
        if hi - lo == 4:
            labels = _FIVE[rec.response_scale]
            kind = "likert"
            choices = tuple(
                (lo + i, f"{lo + i} – {en}", f"{lo + i} – {cy}")
                for i, (en, cy) in enumerate(labels)
            )
        else:
            en_lo, en_hi = _ends(rec.response_scale)
            cy_lo, cy_hi = _ENDS_CY[rec.response_scale]
            step = 10 if hi == 100 else 1
            kind = "thermometer" if hi == 100 else "scale10"
            values = list(range(lo, hi + 1, step))
            choices = tuple(
                (
                    v,
                    f"{v} – {en_lo}" if v == lo else f"{v} – {en_hi}" if v == hi else str(v),
                    f"{v} – {cy_lo}" if v == lo else f"{v} – {cy_hi}" if v == hi else str(v),
                )
                for v in values
            )
        out[rec.item] = ItemSpec(
            code=rec.item,
            kind=kind,
            text_en=rec.text_en,
            text_cy=rec.text_cy or BANK_CY.get(rec.item, ""),
            choices=choices,
            source=rec.source,
            scale=rec.scale,
            level=rec.level,
            group="policy" if rec.level == "policy" else "cohesion",
        )
    return out


def _agree(code, en, cy, asked, section) -> ItemSpec:
    return ItemSpec(
        code=code,
        kind="likert",
        text_en=en,
        text_cy=cy,
        choices=tuple(
            (i + 1, f"{i + 1} – {e}", f"{i + 1} – {c}") for i, (e, c) in enumerate(AGREE)
        ),
        source=f"minipublic paraphrase after the structure of the OECD (2021) member questionnaire, {section}",
        group="template",
        asked=asked,
    )


_OECD = "OECD (2021) member questionnaire structure"
# The OECD-structured member questionnaire (minipublic's own wording; see the module docstring).
TEMPLATE_ITEMS = {
    s.code: s
    for s in [
        # Asked at the start (T0) and again at the end (T1), so change can be seen.
        _agree(
            "oecd_knowledge",
            "I know a good deal about the topic the assembly is discussing.",
            "Rwy’n gwybod cryn dipyn am y pwnc y mae’r cynulliad yn ei drafod.",
            "start and end",
            "expectations and knowledge",
        ),
        _agree(
            "oecd_people_like_me",
            "People like me can make a difference to decisions on this topic.",
            "Gall pobl fel fi wneud gwahaniaeth i benderfyniadau ar y pwnc hwn.",
            "start and end",
            "expectations and knowledge",
        ),
        _agree(
            "oecd_expect_influence",
            "I expect the public body to act on the assembly’s recommendations.",
            "Rwy’n disgwyl i’r corff cyhoeddus weithredu ar argymhellion y cynulliad.",
            "start and end",
            "pathways to impact",
        ),
        _agree(
            "oecd_citizens_capable",
            "Ordinary citizens can make good decisions on complex issues when given time and information.",
            "Gall dinasyddion cyffredin wneud penderfyniadau da ar faterion cymhleth pan gânt amser a gwybodaeth.",
            "start and end",
            "expectations and knowledge",
        ),
        # End only (T1).
        _agree(
            "oecd_question_clear",
            "The question the assembly was asked was clear.",
            "Roedd y cwestiwn a ofynnwyd i’r cynulliad yn glir.",
            "end",
            "process design integrity",
        ),
        _agree(
            "oecd_diverse",
            "The members of the assembly reflected the variety of people in the area.",
            "Roedd aelodau’r cynulliad yn adlewyrchu amrywiaeth y bobl yn yr ardal.",
            "end",
            "process design integrity",
        ),
        _agree(
            "oecd_information_balanced",
            "The information we were given covered a range of views fairly.",
            "Roedd yr wybodaeth a gawsom yn cwmpasu amrywiaeth o safbwyntiau’n deg.",
            "end",
            "deliberative experience",
        ),
        _agree(
            "oecd_learned",
            "I learned a lot during the assembly.",
            "Dysgais lawer yn ystod y cynulliad.",
            "end",
            "deliberative experience",
        ),
        _agree(
            "oecd_time",
            "We had enough time to discuss the issues.",
            "Cawsom ddigon o amser i drafod y materion.",
            "end",
            "deliberative experience",
        ),
        _agree(
            "oecd_free_to_speak",
            "I felt free to say what I thought.",
            "Roeddwn i’n teimlo’n rhydd i ddweud beth oeddwn i’n ei feddwl.",
            "end",
            "deliberative experience",
        ),
        _agree(
            "oecd_respect",
            "Other members listened to me with respect, even when they disagreed.",
            "Gwrandawodd aelodau eraill arnaf gyda pharch, hyd yn oed pan oeddent yn anghytuno.",
            "end",
            "deliberative experience",
        ),
        _agree(
            "oecd_facilitation_fair",
            "The facilitators treated all members equally and did not steer the outcome.",
            "Roedd yr hwyluswyr yn trin pob aelod yn gyfartal ac ni wnaethant lywio’r canlyniad.",
            "end",
            "deliberative experience",
        ),
        _agree(
            "oecd_recommendations_ours",
            "The final recommendations reflect what the members decided.",
            "Mae’r argymhellion terfynol yn adlewyrchu’r hyn a benderfynodd yr aelodau.",
            "end",
            "pathways to impact",
        ),
        ItemSpec(
            code="oecd_most_useful",
            kind="single",
            text_en="Which part of the assembly helped you most to form your view?",
            text_cy="Pa ran o’r cynulliad a’ch helpodd fwyaf i ffurfio’ch barn?",
            choices=(
                (
                    "evidence",
                    "Hearing from speakers and reading the evidence",
                    "Clywed gan siaradwyr a darllen y dystiolaeth",
                ),
                ("tables", "Discussing in small groups", "Trafod mewn grwpiau bach"),
                ("questions", "Asking questions of experts", "Gofyn cwestiynau i arbenigwyr"),
                ("voting", "Voting on recommendations", "Pleidleisio ar argymhellion"),
            ),
            randomise_choices=True,
            source=f"minipublic paraphrase after the {_OECD}, deliberative experience (answer order randomised)",
            group="template",
            asked="end",
        ),
        ItemSpec(
            code="oecd_satisfaction",
            kind="scale10",
            text_en="Overall, how satisfied are you with the assembly?",
            text_cy="At ei gilydd, pa mor fodlon ydych chi â’r cynulliad?",
            choices=tuple(
                (
                    v,
                    f"{v} – not at all satisfied"
                    if v == 0
                    else f"{v} – completely satisfied"
                    if v == 10
                    else str(v),
                    f"{v} – dim yn fodlon o gwbl"
                    if v == 0
                    else f"{v} – cwbl fodlon"
                    if v == 10
                    else str(v),
                )
                for v in range(11)
            ),
            source=f"minipublic paraphrase after the {_OECD}, overall assessment",
            group="template",
            asked="end",
        ),
        ItemSpec(
            code="oecd_change",
            kind="text",
            text_en="What one thing would you change about the assembly?",
            text_cy="Beth yw’r un peth y byddech chi’n ei newid am y cynulliad?",
            source=f"minipublic paraphrase after the {_OECD}, open question",
            group="template",
            asked="end",
        ),
    ]
}


def own_items(assembly) -> dict[str, ItemSpec]:
    from minipublic.web.evaluation.models import ItemKind

    out = {}
    for row in assembly.survey_items.all():
        if row.kind == ItemKind.SCALE10:
            choices = tuple((v, str(v), str(v)) for v in range(11))
        elif row.kind == ItemKind.THERMOMETER:
            choices = tuple((v, str(v), str(v)) for v in range(0, 101, 10))
        elif row.kind == ItemKind.LIKERT:
            choices = tuple(
                (i + 1, f"{i + 1} – {e}", f"{i + 1} – {c}") for i, (e, c) in enumerate(AGREE)
            )
        else:
            choices = tuple((c["value"], c["en"], c["cy"]) for c in row.choices)
        out[row.code] = ItemSpec(
            code=row.code,
            kind=row.kind,
            text_en=row.text_en,
            text_cy=row.text_cy,
            choices=choices,
            randomise_choices=row.randomise_choices,
            source="the evaluator’s own question",
            group="own",
        )
    return out


def catalogue(assembly) -> dict[str, ItemSpec]:
    """Every item a wave of *assembly* may ask, by code."""
    return {**bank_items(), **TEMPLATE_ITEMS, **own_items(assembly)}


def cohesion_codes() -> list[str]:
    return [c for c, s in bank_items().items() if s.group == "cohesion"]


def template_codes(wave_code: str) -> list[str]:
    """The default items of a wave: cohesion scales, plus the OECD-structured items for members."""
    base = cohesion_codes()
    if wave_code == "T0":
        return base + [c for c, s in TEMPLATE_ITEMS.items() if s.asked == "start and end"]
    if wave_code == "T1":
        return base + list(TEMPLATE_ITEMS)
    return base


def ordered(items: list[str], *, randomise: bool, seed: int) -> list[str]:
    """Item codes in the order one respondent sees them (shuffled with their seed when asked)."""
    items = list(items)
    if randomise:
        random.Random(seed).shuffle(items)
    return items


def ordered_choices(spec: ItemSpec, seed: int, language: str | None = None) -> list[tuple]:
    choices = spec.choices_in(language)
    if spec.randomise_choices:
        random.Random(f"{seed}:{spec.code}").shuffle(choices)
    return choices


def form_field(spec: ItemSpec, *, seed: int = 0, language: str | None = None) -> forms.Field:
    """A Django form field for *spec*: real radio inputs and checkboxes in a fieldset with a legend."""
    label = spec.text(language)
    if spec.kind == "text":
        return forms.CharField(label=label, required=False, max_length=500)
    choices = ordered_choices(spec, seed, language)
    if spec.kind == "multiple":
        return forms.MultipleChoiceField(
            label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
        )
    return forms.ChoiceField(label=label, required=False, choices=choices, widget=forms.RadioSelect)


def clean_value(spec: ItemSpec, value):
    """The stored form of one answer: int for numeric scales, list for multiple choice, else str."""
    if value in (None, "", []):
        return None
    if spec.numeric:
        return int(value)
    if spec.kind == "multiple":
        return sorted(str(v) for v in value)
    return str(value).strip()


@dataclass
class Page:
    number: int
    codes: list[str] = field(default_factory=list)


def pages(items: list[str], per_page: int) -> list[Page]:
    per_page = max(1, per_page)
    return [
        Page(i // per_page + 1, items[i : i + per_page]) for i in range(0, len(items), per_page)
    ] or [Page(1, [])]
