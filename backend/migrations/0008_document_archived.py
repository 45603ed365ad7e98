from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("backend", "0007_run_system_failure"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="archived",
            field=models.BooleanField(default=False),
        ),
    ]
