"""From a positive screening to care: the follow-up of each positive participant
(identity with consent, referral letter to the médecin traitant, a request in the
médecin-traitant queue when they have none, proposal of the diabetes pathway once
confirmed, seen / lost).

Area: followup.
"""


def open_for(*, participant, actor, request=None):
    """Open (idempotently) the follow-up of a participant whose result is positive and
    return it. Called by participants.enter / add_measure inside their transaction."""
    raise NotImplementedError  # area: followup


def ready():
    pass
