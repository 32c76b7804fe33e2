"""The roles a member holds in a CPTS (importable before Django is set up)."""

from django.db import models


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordination"
    PROFESSIONAL = "professional", "Professionnel de santé"
    REGULATOR = "regulator", "Régulation"
    PARTNER = "partner", "Partenaire"
    BOARD = "board", "Bureau / CA"
    FUNDER = "funder", "Financeur (CPAM, ARS)"
