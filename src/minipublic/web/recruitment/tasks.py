"""Background tasks of the ``recruitment`` app."""

from django.tasks import task

from minipublic.web.progress.reporting import tracked


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
    """Run the stage-one lottery on one address file, give letter codes, then make the letters."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from minipublic.web.recruitment.actions import do_apply_invitation_lottery
    from minipublic.web.recruitment.lottery import stage_one_lottery
    from minipublic.web.recruitment.models import AddressFile, AreaWeight

    with tracked(progress_id) as report:
        address_file = AddressFile.objects.select_related("assembly").get(pk=address_file_id)
        assembly = address_file.assembly
        actor = get_user_model().objects.filter(pk=acting_user_id).first()
        report(0.02, "reading the addresses")
        addresses = list(address_file.addresses.order_by("row"))
        weights = dict(AreaWeight.objects.filter(assembly=assembly).values_list("area", "weight"))
        report(0.05, "drawing the lottery")
        result = stage_one_lottery(
            [a.area for a in addresses], n_letters=n_letters, weights=weights, seed=seed
        )
        report(0.08, "making the letter codes")
        made = do_apply_invitation_lottery(address_file, result, addresses, acting_user=actor)
        _make_letters(address_file, actor, report, start=0.1)
        report.finish(
            {"letters": made, "allocation": result.allocation},
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
