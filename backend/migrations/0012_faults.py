"""PDF passwords kept in plain text by conversions under way are sealed (backend/sealing.py)."""

from django.db import migrations


def seal_plain_passwords(apps, schema_editor):
    from backend.sealing import seal

    Document = apps.get_model("backend", "Document")
    for document in Document.objects.filter(options__has_key="password").iterator():
        options = dict(document.options)
        plain = options.pop("password")
        if plain:
            options["sealed_password"] = seal(plain)
        document.options = options
        document.save(update_fields=["options"])


class Migration(migrations.Migration):
    dependencies = [("backend", "0011_signin")]

    operations = [migrations.RunPython(seal_plain_passwords, migrations.RunPython.noop)]
