"""A pool import that fails or whose process dies after some rows are written: no half import.

The fault is injected in the third call of ``do_register`` (two people are
already stored). An error raised there, or the process dying there
(simulated by a ``BaseException`` no handler catches; the database rolls the
open transaction back as it does for a dead connection), leaves no pool
import, registrant, participant, personal details or audit line. The same
file then imports in full, exactly as into an assembly that saw no fault.
"""

import pytest

from minipublic.web.assemblies.models import Assembly, AuditEvent, StaffRole
from minipublic.web.people.models import Participant, PersonalDetails
from minipublic.web.recruitment import actions
from minipublic.web.recruitment.models import PoolImport, Registrant

pytestmark = pytest.mark.django_db

POOL = (
    b"id,first_name,email,primary_address1,primary_zip,gender,area,trust_in_government\n"
    b"101,Ann,ann@example.org,1 High St,AB1 1AA,woman,north,3\n"
    b"102,Bryn,,2 High St,AB1 1AB,man,south,8\n"
    b"103,Cai,cai@example.org,3 High St,AB1 1AC,man,north,5\n"
    b"104,Dee,,4 High St,AB1 1AD,woman,south,1\n"
    b"105,Efa,efa@example.org,5 High St,AB1 1AE,woman,north,10\n"
)


class ProcessKilled(BaseException):
    """The process ends here: no ``except Exception`` handler runs."""


def _assembly(slug: str, organiser) -> Assembly:
    assembly = Assembly.objects.create(slug=slug, title=slug, question="?", phase="register")
    StaffRole.objects.create(assembly=assembly, user=organiser, role="organiser")
    return assembly


def _counts(assembly) -> dict[str, int]:
    return {
        "imports": PoolImport.objects.filter(assembly=assembly).count(),
        "registrants": Registrant.objects.filter(assembly=assembly).count(),
        "participants": Participant.objects.filter(assembly=assembly).count(),
        "details": PersonalDetails.objects.filter(participant__assembly=assembly).count(),
        "audit": AuditEvent.objects.filter(assembly=assembly).count(),
    }


def _pool(assembly) -> list[tuple]:
    return sorted(
        (
            r.external_id,
            r.gender,
            r.area,
            r.trust_in_government,
            r.participant.personal_details.email,
        )
        for r in Registrant.objects.filter(assembly=assembly).select_related(
            "participant__personal_details"
        )
    )


def _import(assembly, organiser):
    return actions.check_import_pool(assembly, name="pool.csv", data=POOL, acting_user=organiser)


@pytest.mark.parametrize("fault", [RuntimeError, ProcessKilled])
def test_pool_import_fault_leaves_nothing_and_reruns(user, monkeypatch, fault):
    organiser = user("organiser")
    reference = _assembly("fault-reference", organiser)
    _import(reference, organiser)
    assembly = _assembly("fault-test", organiser)
    before = _counts(assembly)

    real = actions.do_register
    written = []

    def do_register(target, **kw):
        if len(written) == 2:
            written.append(Registrant.objects.filter(assembly=target).count())
            raise fault("process stopped")
        written.append(kw["external_id"])
        return real(target, **kw)

    monkeypatch.setattr(actions, "do_register", do_register)
    with pytest.raises(fault):
        _import(assembly, organiser)
    monkeypatch.undo()
    assert written == ["101", "102", 2]  # two people were stored when it stopped
    assert _counts(assembly) == before

    pool_import = _import(assembly, organiser)
    assert pool_import.n_rows == 5
    assert _pool(assembly) == _pool(reference)
    assert len(_pool(assembly)) == 5
    assert _counts(assembly) == {
        **before,
        "imports": 1,
        "registrants": 5,
        "participants": 5,
        "details": 5,
        "audit": before["audit"] + 1,
    }
