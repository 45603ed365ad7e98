from django.apps import AppConfig
from django.db.models.signals import post_delete


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = "Data loading"

    def ready(self) -> None:
        from backend.models import BundleSchedule  # models load before ready()
        from backend.services.schedules import schedule_beat_rows_delete

        # A schedule removed directly or by its bundle's cascade takes its beat rows along.
        post_delete.connect(
            schedule_beat_rows_delete, sender=BundleSchedule, dispatch_uid="schedule_beat_rows"
        )
