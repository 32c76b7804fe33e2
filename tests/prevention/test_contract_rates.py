"""The contract's screening rates: tiers ordered, the tier reached and the amount earned
(the real contract of prevention.md), the CPAM rate entered with its source and date, or
imported from a CSV all or nothing with line-numbered errors."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.core import indicators as registry
from maillage.prevention import contract
from maillage.prevention.models import ContractRate, Theme
from tests.utils import text

pytestmark = pytest.mark.django_db


def breast(cpts, actor, year=2026, **data):
    theme = Theme.objects.get(cpts=None, code="depistage-cancer-sein")
    values = contract.defaults_for("depistage-cancer-sein") | data
    return contract.save_rate(cpts=cpts, actor=actor, theme=theme, year=year, data=values)


def test_defaults_are_the_real_contract_of_prevention_md():
    values = contract.defaults_for("depistage-cancer-sein")
    assert (values["baseline"], values["socle"], values["intermediate"], values["objective"]) \
        == (Decimal("66.26"), Decimal("69.70"), Decimal("72.40"), Decimal("75.00"))
    assert (values["amount_socle"], values["amount_intermediate"],
            values["amount_objective"]) == (1000, 2500, 3500)  # fmt: skip


@pytest.mark.parametrize(("rate", "tier", "amount"), [
    ("66.26", "", 0), ("69.69", "", 0), ("69.70", "socle", 1000), ("72.39", "socle", 1000),
    ("72.40", "intermediate", 2500), ("72.5", "intermediate", 2500),
    ("74.99", "intermediate", 2500), ("75", "objective", 3500), ("100", "objective", 3500),
])  # fmt: skip
def test_tier_reached_and_amount_earned(home_cpts, coordinator, rate, tier, amount):
    row = breast(home_cpts, coordinator, rate=Decimal(rate), rate_source="CPAM de l'Isère",
                 rate_date=datetime.date(2026, 3, 15))  # fmt: skip
    reached = contract.standing(row)
    assert (reached.tier, reached.amount) == (tier, amount)


def test_72_5_reaches_intermediaire_2500(home_cpts, coordinator):
    row = breast(home_cpts, coordinator, rate=Decimal("72.5"), rate_source="CPAM",
                 rate_date=datetime.date(2026, 3, 15))  # fmt: skip
    assert contract.standing(row).label == "intermédiaire"
    assert contract.standing(row).amount == 2500


def test_no_rate_no_standing(home_cpts, coordinator):
    assert contract.standing(breast(home_cpts, coordinator)) is None


def test_tiers_out_of_order_are_refused(home_cpts, coordinator):
    with pytest.raises(ValidationError) as exc:
        breast(home_cpts, coordinator, intermediate=Decimal("76"))
    assert "au moins égal" in exc.value.message_dict["objective"][0]
    with pytest.raises(ValidationError) as exc:
        breast(home_cpts, coordinator, socle=Decimal("73"))
    assert "au moins égal au palier socle" in exc.value.message_dict["intermediate"][0]
    assert not ContractRate.objects.exists()


def test_a_rate_needs_its_source_and_date(home_cpts, coordinator):
    with pytest.raises(ValidationError) as exc:
        breast(home_cpts, coordinator, rate=Decimal("70"), rate_source="", rate_date=None)
    assert set(exc.value.message_dict) == {"rate_source", "rate_date"}


def test_registry_gives_the_rate_with_its_tier(home_cpts, coordinator):
    breast(home_cpts, coordinator, rate=Decimal("72.5"), rate_source="CPAM de l'Isère",
           rate_date=datetime.date(2026, 3, 15))  # fmt: skip
    value = registry.compute("prevention.rate.depistage-cancer-sein", home_cpts,
                             (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)))
    assert value.value == 72.5
    assert "intermédiaire" in value.note and "2500" in value.note and "CPAM" in value.note


# CSV import -------------------------------------------------------------------------------

GOOD = ("theme;year;rate;source;date\n"
        "depistage-cancer-sein;2026;72,5;CPAM de l'Isère;2026-03-15\n")


def test_import_sets_the_rate_source_and_date(home_cpts, coordinator):
    breast(home_cpts, coordinator)
    assert contract.import_csv(cpts=home_cpts, actor=coordinator, content=GOOD.encode()) == 1
    row = ContractRate.objects.get()
    assert (row.rate, row.rate_source, row.rate_date) == (
        Decimal("72.50"), "CPAM de l'Isère", datetime.date(2026, 3, 15))


def test_import_is_all_or_nothing_with_line_numbers(home_cpts, coordinator):
    breast(home_cpts, coordinator)
    content = GOOD + ("inconnu;2026;50;CPAM;2026-03-15\n"
                      "depistage-cancer-sein;2026;150;CPAM;15/03/2026\n")
    with pytest.raises(ValidationError) as exc:
        contract.import_csv(cpts=home_cpts, actor=coordinator, content=content.encode())
    errors = exc.value.message_dict["file"]
    assert errors[0].startswith("Ligne 3 :") and "inconnu" in errors[0]
    assert errors[1].startswith("Ligne 4 :") and "taux « 150 »" in errors[1]
    assert ContractRate.objects.get().rate is None


def test_import_refuses_a_wrong_header(home_cpts, coordinator):
    with pytest.raises(ValidationError) as exc:
        contract.import_csv(cpts=home_cpts, actor=coordinator, content=b"a;b\n1;2\n")
    assert exc.value.message_dict["file"][0].startswith("Ligne 1 :")


def test_import_page_shows_errors_with_400(client_for, coordinator, home_cpts):
    breast(home_cpts, coordinator)
    upload = SimpleUploadedFile("taux.csv", b"theme;year;rate;source;date\n"
                                b"depistage-cancer-sein;2026;-3;CPAM;2026-03-15\n")
    response = client_for(coordinator).post(
        reverse("prevention:rates_import", args=[home_cpts.slug]), {"file": upload})
    assert response.status_code == 400
    assert "Ligne 2 :" in text(response)
    assert ContractRate.objects.get().rate is None


# Pages ------------------------------------------------------------------------------------


def _form(**changes):
    return {"theme": "depistage-cancer-sein", "year": "2026", "baseline": "66,26",
            "socle": "69,70", "intermediate": "72,40", "objective": "75",
            "amount_socle": "1000", "amount_intermediate": "2500", "amount_objective": "3500",
            "rate": "72,5", "rate_source": "CPAM de l'Isère", "rate_date": "2026-03-15"
            } | changes  # fmt: skip


def test_coordinator_enters_a_rate_and_sees_its_tier(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    response = client.post(reverse("prevention:rate_new", args=[home_cpts.slug]), _form())
    assert response.status_code == 302
    page = text(client.get(reverse("prevention:rates", args=[home_cpts.slug])))
    assert "intermédiaire" in page and "2500 €" in page and "CPAM de l'Isère" in page


def test_form_prefills_the_domain_defaults(client_for, coordinator, home_cpts):
    response = client_for(coordinator).get(
        reverse("prevention:rate_new", args=[home_cpts.slug]), {"theme": "depistage-cancer-sein"})
    assert "66,26" in text(response) or "66.26" in text(response)


def test_unordered_tiers_answer_400_next_to_the_field(client_for, coordinator, home_cpts):
    response = client_for(coordinator).post(
        reverse("prevention:rate_new", args=[home_cpts.slug]), _form(objective="70"))
    assert response.status_code == 400
    assert "Le palier objectif doit être au moins égal" in text(response)
    assert not ContractRate.objects.exists()


def test_board_sees_rates_but_cannot_enter_them(client_for, board_member, coordinator,
                                                home_cpts):  # fmt: skip
    breast(home_cpts, coordinator)
    client = client_for(board_member)
    assert client.get(reverse("prevention:rates", args=[home_cpts.slug])).status_code == 200
    assert client.get(reverse("prevention:rate_new", args=[home_cpts.slug])).status_code == 404


def test_rates_csv_neutralises_formulas(client_for, coordinator, home_cpts):
    breast(home_cpts, coordinator, rate=Decimal("70"), rate_source="=HYPERLINK(1)",
           rate_date=datetime.date(2026, 3, 1))  # fmt: skip
    response = client_for(coordinator).get(reverse("prevention:rates_csv", args=[home_cpts.slug]))
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "socle" in body


def test_other_cpts_rate_is_404(client_for, outsider, coordinator, home_cpts, other_cpts):
    row = breast(home_cpts, coordinator)
    response = client_for(outsider).get(reverse("prevention:rate",
                                                args=[other_cpts.slug, row.public_id]))
    assert response.status_code == 404
