"""The kinds of message: a registry in code. Each app registers its own kinds in its
`ready()` (core's are registered by this app, since core does not import it).

A kind names its default channels; a person may mute a channel per kind on their
preferences page, except for a `mandatory` kind (a crisis alert, a security e-mail),
which always goes out on its channels. A kind with a `secret_link` (an invitation, a
password reset) has its link erased once it has been sent: the database does not keep a
usable secret longer than needed.
"""

from __future__ import annotations

from dataclasses import dataclass

IN_APP, EMAIL, SMS = "in_app", "email", "sms"
CHANNELS = (IN_APP, EMAIL, SMS)
CHANNEL_LABELS = {IN_APP: "Dans Maillage", EMAIL: "E-mail", SMS: "SMS"}


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    channels: tuple[str, ...]
    mandatory: bool = False
    # Why it cannot be muted, shown on the preferences page.
    mandatory_reason: str = ""
    secret_link: bool = False
    # Listed on the preferences page (kinds only sent to addresses without an account,
    # or to patients, are not).
    listed: bool = True
    # The page that takes the answers of this kind's messages (the crisis app mounts its
    # own, with its own token namespace: see answers.py).
    answer_url_name: str = "notifications:answer"
    answer_namespace: str = "maillage.notifications.answer"


KINDS: dict[str, Kind] = {}


def register(code: str, label: str, *, channels=(IN_APP, EMAIL), mandatory=False,
             mandatory_reason="", secret_link=False, listed=True,
             answer_url_name="", answer_namespace="") -> Kind:  # fmt: skip
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown channels {sorted(unknown)} for kind {code}")
    if mandatory and not mandatory_reason:
        mandatory_reason = "Message obligatoire : il ne peut pas être désactivé."
    kind = Kind(code=code, label=label, channels=tuple(channels), mandatory=mandatory,
                mandatory_reason=mandatory_reason, secret_link=secret_link, listed=listed,
                **({"answer_url_name": answer_url_name} if answer_url_name else {}),
                **({"answer_namespace": answer_namespace} if answer_namespace else {}))
    KINDS[code] = kind
    return kind


def get(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown notification kind {code!r}: register it in an app's "
                         "ready()") from None


def listed() -> list[Kind]:
    return sorted((k for k in KINDS.values() if k.listed), key=lambda k: k.label)
