import pytest


@pytest.fixture
def empty_directory(db):
    """Importer tests start from an empty directory (the demo one is removed inside the
    test's transaction, so it is back for the next test)."""
    from maillage.directory.models import Professional, Structure

    Professional.objects.all().delete()
    Structure.objects.all().delete()
