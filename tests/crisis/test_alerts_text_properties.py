"""Properties of the alert's texts: the message is cleaned or refused (never stored with a
NUL, never longer than an SMS allows); "RELANCE" is added once, after the exercise's or
the test's prefix; the answer's skills are kept as known labels only."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from maillage.crisis.alerts import (
    EXERCISE_PREFIX,
    MESSAGE_MAX,
    TEST_PREFIX,
    clean_message,
    skills_text,
)
from maillage.crisis.escalation import relance
from maillage.crisis.skills import SKILLS


@given(st.text(max_size=700))
def test_a_message_is_cleaned_or_refused_naming_the_field(value):
    try:
        cleaned = clean_message(value)
    except ValidationError as exc:
        assert list(exc.message_dict) == ["message"]
        return
    assert cleaned and "\x00" not in cleaned and len(cleaned) <= MESSAGE_MAX
    assert cleaned == cleaned.strip()


@given(st.sampled_from(["", EXERCISE_PREFIX, TEST_PREFIX]), st.text(max_size=50))
def test_relance_is_added_once_after_the_prefix(prefix, rest):
    once = relance(prefix + rest)
    assert relance(once) == once
    assert once.startswith(prefix) and "RELANCE" in once
    if prefix == EXERCISE_PREFIX:
        assert once.startswith("EXERCICE")


@given(st.lists(st.one_of(st.sampled_from(list(SKILLS)), st.text(max_size=10)), max_size=20))
def test_skills_are_kept_as_known_labels_within_the_field(codes):
    text = skills_text(codes)
    labels = [part for part in text.split("; ") if part]
    assert set(labels) <= set(SKILLS.values())
    assert len(labels) == len({c for c in codes if c in SKILLS})
    assert len(text) <= 300


def test_an_empty_message_is_refused():
    with pytest.raises(ValidationError):
        clean_message(" \x00 ")
