from django.db import migrations, models


def names_from_bundles(apps, schema_editor):
    Run = apps.get_model("backend", "Run")
    Bundle = apps.get_model("backend", "Bundle")
    for bundle_id, name in Bundle.objects.values_list("id", "name"):
        Run.objects.filter(bundle_id=bundle_id).update(bundle_name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("backend", "0003_table_quality"),
    ]

    operations = [
        migrations.AddField(
            model_name="run",
            name="bundle_name",
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddField(
            model_name="run",
            name="inputs",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(names_from_bundles, migrations.RunPython.noop),
    ]
