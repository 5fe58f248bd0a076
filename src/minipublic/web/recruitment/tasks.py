"""Background tasks of the ``recruitment`` app."""

from django.tasks import task

from minipublic.web.progress.reporting import tracked


def draw_invitation(address_file, addresses: list, *, n_letters: int, seed: str):
    """Run the core's stage-one lottery (:func:`minipublic.sortition.invite`) on *addresses*.

    *addresses* are the file's :class:`~minipublic.web.recruitment.models.Address`
    rows in file order (``row``); each is passed as ``id`` (its primary key)
    and ``area``. The assembly's weights are kept only for areas of this
    file (weights cover every file of the assembly, and the core refuses a
    weight for an area it has no address in). Returns the core's
    :class:`~minipublic.sortition.Invitation`.
    """
    import pandas as pd

    from minipublic.sortition import invite
    from minipublic.web.recruitment.models import AreaWeight

    frame = pd.DataFrame(
        {"id": [str(a.pk) for a in addresses], "area": [a.area for a in addresses]}
    )
    areas = set(frame["area"])
    weights = {
        area: weight
        for area, weight in AreaWeight.objects.filter(assembly=address_file.assembly).values_list(
            "area", "weight"
        )
        if area in areas
    }
    return invite(
        frame,
        n_letters,
        area_column="area",
        weights=weights,
        seed=seed,
        id_column="id",
        source=address_file.name,
        sha256=address_file.sha256,
    )


def _make_letters(address_file, actor, report, *, start: float) -> int:
    from minipublic.web.recruitment.actions import do_store_letters
    from minipublic.web.recruitment.letters import letters_pdf
    from minipublic.web.recruitment.views import register_url

    invited = address_file.addresses.filter(invited=True).order_by("area", "street", "address")
    data = letters_pdf(
        address_file.assembly,
        invited,
        register_url=register_url(address_file.assembly),
        progress=lambda f, m: report(start + (1 - start) * f, m),
    )
    do_store_letters(address_file, data, acting_user=actor)
    return invited.count()


@task()
def run_invitation_lottery(
    *, progress_id: str, address_file_id: int, n_letters: int, seed: str, acting_user_id
):
    """Run the core stage-one lottery on one address file, give letter codes, make the letters."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from minipublic.web.recruitment.actions import (
        do_apply_invitation_lottery,
        do_release_invitation_lottery,
    )
    from minipublic.web.recruitment.models import AddressFile

    with tracked(progress_id) as report:
        address_file = AddressFile.objects.select_related("assembly").get(pk=address_file_id)
        assembly = address_file.assembly
        actor = get_user_model().objects.filter(pk=acting_user_id).first()
        report(0.02, "reading the addresses")
        addresses = list(address_file.addresses.order_by("row"))
        report(0.05, "drawing the lottery")
        try:
            invitation = draw_invitation(address_file, addresses, n_letters=n_letters, seed=seed)
            report(0.08, "making the letter codes")
            made = do_apply_invitation_lottery(
                address_file, invitation, addresses, seed=seed, acting_user=actor
            )
        except Exception as exc:
            # Nothing was stored: free the file so the organiser can fix the cause and retry.
            do_release_invitation_lottery(address_file, reason=str(exc), acting_user=actor)
            raise
        _make_letters(address_file, actor, report, start=0.1)
        allocation = invitation.allocation.set_index("area")["invited"]
        report.finish(
            {"letters": made, "allocation": {a: int(k) for a, k in allocation.items()}},
            url=reverse("recruitment:overview", args=[assembly.slug]),
        )
    return {"letters": made}


@task()
def run_make_letters(*, progress_id: str, address_file_id: int, acting_user_id):
    """(Re)make the letters PDF of an address file whose lottery has been run."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from minipublic.web.recruitment.models import AddressFile

    with tracked(progress_id) as report:
        address_file = AddressFile.objects.select_related("assembly").get(pk=address_file_id)
        actor = get_user_model().objects.filter(pk=acting_user_id).first()
        made = _make_letters(address_file, actor, report, start=0.0)
        report.finish(
            {"letters": made},
            url=reverse("recruitment:overview", args=[address_file.assembly.slug]),
        )
    return {"letters": made}


@task()
def tell_not_selected(*, assembly_id: int, acting_user_id: int | None) -> int:
    """After the draw: tell everyone not selected, in their language, once.

    Queued by the draw (:func:`minipublic.web.selection.actions.do_draw`) so
    that the organiser's request does not wait while hundreds of messages are
    written and sent; running it again tells nobody twice.
    """
    from django.contrib.auth import get_user_model

    from minipublic.web.assemblies.models import Assembly
    from minipublic.web.recruitment.actions import do_tell_not_selected

    assembly = Assembly.objects.get(pk=assembly_id)
    actor = get_user_model().objects.filter(pk=acting_user_id).first()
    return do_tell_not_selected(assembly, acting_user=actor)
