"""A CPTS where something waits for everyone, built through the missions' services: the
home page tests and the browser journey share it."""

import datetime

from django.utils import timezone

from maillage.gp_access.models import GpRequest, Proposal
from maillage.gp_access.services import batch_send, propose_batch
from maillage.gp_access.services import request_create as gp_request_create
from maillage.patients.services import patient_create
from maillage.same_day_care.models import Slot
from maillage.same_day_care.services import book, publish_slots
from maillage.same_day_care.services import request_create as snp_create
from maillage.territory.models import Commune


def today_start(minutes_ahead=30):
    """A slot start later today (the last minutes of the day when the test runs late)."""
    now = timezone.localtime()
    start = now + datetime.timedelta(minutes=minutes_ahead)
    last = now.replace(hour=23, minute=30, second=0, microsecond=0)
    return min(start, last) if last > now else now + datetime.timedelta(minutes=5)


def snp_data(last_name, first_name, commune, **extra):
    return {"last_name": last_name, "first_name": first_name,
            "birth_date": datetime.date(1990, 4, 2), "phone": "0611223344",
            "commune": commune, "reason": "fever", "profession_code": "10",
            "mode": "practice", "urgency": "same_day", **extra}  # fmt: skip


def build(cpts, *, coordinator, gp, nurse, regulator, partner):
    bourgoin = Commune.objects.get(code="38053")
    # A proposal waiting for the GP's answer (the demo's qualified requests).
    batch = propose_batch(cpts=cpts, actor=coordinator)
    batch_send(batch=batch, actor=coordinator)
    proposal = Proposal.objects.filter(cpts=cpts, gp=gp, state="pending").first()
    # Today's same-day appointment with the GP, booked by the regulator.
    start = today_start()
    publish_slots(cpts=cpts, professional=gp, actor=gp, profession_code="10",
                  commune=bourgoin, times=[(start, start + datetime.timedelta(minutes=20))])
    booked = snp_create(cpts=cpts, actor=regulator, origin="regulator",
                        data=snp_data("Tournesol", "Agathe", bourgoin))  # fmt: skip
    slot = Slot.objects.get(cpts=cpts, professional=gp, start=start)
    appointment = book(slot=slot, snp_request=booked, actor=regulator)
    # A request the regulator has not found a slot for yet.
    waiting = snp_create(cpts=cpts, actor=regulator, origin="regulator",
                         data=snp_data("Lavande", "Basile", bourgoin))  # fmt: skip
    # A partner's referral.
    referred = patient_create(cpts=cpts, actor=partner, consent_method="oral",
                              allow_duplicate=True,
                              data={"birth_name": "Capucine", "first_names": "Odile",
                                    "birth_date": "1950-02-03", "sex": "F",
                                    "commune": "38053"})  # fmt: skip
    referral = gp_request_create(cpts=cpts, actor=partner, patient=referred, origin="partner")
    return {"proposal": proposal, "appointment": appointment, "waiting": waiting,
            "referral": referral, "requests": GpRequest.objects.filter(cpts=cpts)}
