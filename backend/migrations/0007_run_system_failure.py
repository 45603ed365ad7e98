from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("backend", "0006_table_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="run",
            name="system_failure",
            field=models.BooleanField(default=False),
        ),
    ]
