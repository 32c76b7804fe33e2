"""The figures of the crisis board: who was reached, who answered, who is available, by
alert, by commune and by skill.

Every count is one aggregate query over the alerts' recipients (conditional COUNTs), never
a loop over rows in Python: the board is polled every few seconds during a crisis, for
thousands of recipients. Only the names of available people are read row by row, and
they are capped per group.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q

from maillage.notifications.models import Delivery

from .alerts import SKILLS_SEPARATOR
from .models import Alert, AlertRecipient, Call, CallOutcome, ContactSkill
from .skills import SKILLS

AVAILABLE_NOW, AVAILABLE_FROM, UNAVAILABLE = "available_now", "available_from", "unavailable"
AVAILABLE = (AVAILABLE_NOW, AVAILABLE_FROM)
# Names shown per commune or per skill (the count says how many more), and available
# people read to fill them: the board stays as fast with 2 000 people available as with 20.
NAMES_PER_GROUP = 5
NAMES_READ = 200

ANSWERED = Q(notification__answered_at__isnull=False)
IS_AVAILABLE = Q(notification__answer__in=AVAILABLE)


def _reached() -> Q:
    sent = Delivery.objects.filter(notification_id=OuterRef("notification_id"),
                                   status=Delivery.Status.SENT)  # fmt: skip
    return Q(Exists(sent))


def _figures():
    return {
        "recipients": Count("pk"),
        "reached": Count("pk", filter=_reached()),
        "answered": Count("pk", filter=ANSWERED),
        "available_now": Count("pk", filter=Q(notification__answer=AVAILABLE_NOW)),
        "available_from": Count("pk", filter=Q(notification__answer=AVAILABLE_FROM)),
        "unavailable": Count("pk", filter=Q(notification__answer=UNAVAILABLE)),
    }


def _complete(values: dict) -> dict:
    values["available"] = values["available_now"] + values["available_from"]
    values["pending"] = values["recipients"] - values["answered"]
    return values


EMPTY = {"recipients": 0, "reached": 0, "answered": 0, "available_now": 0,
         "available_from": 0, "unavailable": 0}  # fmt: skip


def alert_figures(alert: Alert) -> dict:
    """recipients, reached (a delivery sent), answered, available_now, available_from,
    available, unavailable, pending: for one alert."""
    rows = AlertRecipient.objects.filter(alert=alert)
    return _complete(rows.aggregate(**_figures()))


def figures_by_alert(alerts) -> dict[int, dict]:
    """The same figures for several alerts, in one grouped query: {alert_id: figures}."""
    rows = (AlertRecipient.objects.filter(alert__in=alerts)
            .values("alert_id").order_by().annotate(**_figures()))  # fmt: skip
    return {row.pop("alert_id"): _complete(row) for row in rows}


def by_commune(recipients) -> list[dict]:
    """Recipients, answered and available per commune of the contacts."""
    rows = (recipients.values("contact__commune__code", "contact__commune__name").order_by()
            .annotate(recipients=Count("pk"), answered=Count("pk", filter=ANSWERED),
                      available=Count("pk", filter=IS_AVAILABLE)))  # fmt: skip
    out = [{"code": r["contact__commune__code"] or "",
            "name": r["contact__commune__name"] or "Commune non précisée",
            "recipients": r["recipients"], "answered": r["answered"], "available": r["available"]}
           for r in rows]  # fmt: skip
    return sorted(out, key=lambda r: (-r["available"], r["name"]))


def _skill_filter(code: str) -> Q:
    # A skill counts when the person ticked it in their answer or has it in the contact tree.
    declared = ContactSkill.objects.filter(code=code).values("contact_id")
    return Q(notification__answer_skills__contains=SKILLS[code]) | Q(contact_id__in=declared)


def by_skill(recipients) -> list[dict]:
    """Available people per skill (one query, a conditional count per skill)."""
    counts = recipients.filter(IS_AVAILABLE).aggregate(
        **{code: Count("pk", filter=_skill_filter(code))
           for code in SKILLS})  # fmt: skip
    return [{"code": code, "label": label, "available": counts[code]}
            for code, label in SKILLS.items()]  # fmt: skip


def available_people(recipients) -> list[dict]:
    """The people who answered available (each once, their newest answer), with what the
    board shows of them: name, mobile, commune, since when, skills."""
    rows = (recipients.filter(IS_AVAILABLE)
            .values("contact_id", "contact__name", "contact__mobile", "contact__commune__name",
                    "notification__answer", "notification__answer_available_from",
                    "notification__answer_skills", "notification__answered_at")
            .order_by("contact__name", "contact_id", "-notification__answered_at")
            [:NAMES_READ])  # fmt: skip
    people, seen = [], set()
    for r in rows:
        if r["contact_id"] in seen:
            continue
        seen.add(r["contact_id"])
        answered_skills = [s for s in (r["notification__answer_skills"] or "")
                           .split(SKILLS_SEPARATOR) if s]  # fmt: skip
        people.append({
            "contact_id": r["contact_id"], "name": r["contact__name"],
            "mobile": r["contact__mobile"], "commune": r["contact__commune__name"] or "",
            "now": r["notification__answer"] == AVAILABLE_NOW,
            "from": r["notification__answer_available_from"],
            "skills": set(answered_skills),
        })  # fmt: skip
    if people:
        declared = defaultdict(set)
        for contact_id, code in ContactSkill.objects.filter(
                contact_id__in=[p["contact_id"] for p in people]).values_list("contact_id", "code"):
            if code in SKILLS:
                declared[contact_id].add(SKILLS[code])
        for person in people:
            person["skills"] = sorted(person["skills"] | declared[person["contact_id"]])
    return people


def _grouped(people, key_of) -> dict[str, list]:
    groups: dict[str, list] = {}
    for person in people:
        for key in key_of(person):
            group = groups.setdefault(key, [])
            if len(group) < NAMES_PER_GROUP:
                group.append(person)
    return groups


def call_counts(activation) -> list[dict]:
    """The calls of the vulnerable register for this activation, per outcome."""
    rows = dict(Call.objects.filter(campaign__activation=activation).values("outcome").order_by()
                .annotate(n=Count("pk")).values_list("outcome", "n"))  # fmt: skip
    if not rows:
        return []
    return [{"outcome": value, "label": label, "count": rows.get(value, 0)}
            for value, label in CallOutcome.choices]  # fmt: skip


def activation_board(activation) -> dict:
    """Everything the live board of an activation shows."""
    alerts = list(Alert.objects.filter(activation=activation).order_by("-created_at", "-pk"))
    per_alert = figures_by_alert(alerts) if alerts else {}
    rows = [{"alert": a, "figures": per_alert.get(a.pk) or _complete(dict(EMPTY))}
            for a in alerts]  # fmt: skip
    total = _complete({key: sum(r["figures"][key] for r in rows) for key in EMPTY})
    recipients = AlertRecipient.objects.filter(alert__activation=activation)
    return {"alerts": rows, "total": total, **_details(recipients),
            "calls": call_counts(activation)}  # fmt: skip


def alert_board(alert) -> dict:
    """The same for one alert (its page, the yearly test)."""
    recipients = AlertRecipient.objects.filter(alert=alert)
    return {"total": alert_figures(alert), **_details(recipients)}


def _details(recipients) -> dict:
    communes = by_commune(recipients)
    skills = by_skill(recipients)
    people = available_people(recipients)
    named_communes = _grouped(people, lambda p: [p["commune"] or "Commune non précisée"])
    named_skills = _grouped(people, lambda p: p["skills"])
    # "and N more": from the counts, not from the names read.
    for row in communes:
        row["people"] = named_communes.get(row["name"], [])
        row["more"] = max(0, row["available"] - len(row["people"]))
    for row in skills:
        row["people"] = named_skills.get(row["label"], [])
        row["more"] = max(0, row["available"] - len(row["people"]))
    return {"communes": communes, "skills": [s for s in skills if s["available"]],
            "available_people": people}  # fmt: skip
