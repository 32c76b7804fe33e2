"""Public events: registration with confirmation and reminder, cancellation by link,
waiting list, check-in at the door and bulk check-in from a paper list.

Area: public.
"""


def ready():
    pass
