from django.db import migrations


def load(apps, schema_editor):
    from maillage.prevention.themes import install_catalogue

    install_catalogue(apps.get_model("prevention", "Theme"))


class Migration(migrations.Migration):
    dependencies = [("prevention", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
