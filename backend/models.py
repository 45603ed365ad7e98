"""The product's data: documents and their tables, bundles, runs and schedules."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backend.scheduling.spec import FREQUENCIES
from backend.scheduling.spec import NONE as NO_SCHEDULE

OWNER = settings.AUTH_USER_MODEL


class Document(models.Model):
    """An uploaded PDF and what its conversion made of it."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        CONVERTING = "converting"
        CONVERTED = "converted"
        FAILED = "failed"

    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(max_length=255)
    file = models.FileField(upload_to="documents/%Y/%m/")
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.BigIntegerField()
    page_count = models.PositiveIntegerField(null=True, blank=True)
    # Conversion options chosen on upload: pages, strategy, area.
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    # Said on success too: e.g. pages that are scanned images (no OCR is done).
    warning = models.TextField(blank=True)
    # Put away by its owner: left out of the lists, its tables still usable and loadable.
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Table(models.Model):
    """A CSV: extracted from a document's pages, or uploaded directly."""

    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="tables")
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="tables"
    )
    name = models.CharField(max_length=255)
    file = models.FileField(upload_to="tables/%Y/%m/")
    first_page = models.PositiveIntegerField(null=True, blank=True)
    last_page = models.PositiveIntegerField(null=True, blank=True)
    bbox = models.JSONField(null=True, blank=True)
    strategy = models.CharField(max_length=16, blank=True)
    n_rows = models.PositiveIntegerField(default=0)
    n_cols = models.PositiveIntegerField(default=0)
    # Which row holds the header (None: no header row), and the user's names.
    header_row = models.PositiveIntegerField(null=True, blank=True)
    column_names = models.JSONField(default=list, blank=True)
    # How far the extraction can be trusted: 0..1, with the reasons that lowered it.
    quality = models.FloatField(null=True, blank=True)
    quality_reasons = models.JSONField(default=list, blank=True)
    # The decimal mark its numbers are written with, "." or ","; "" until found or chosen.
    decimal_mark = models.CharField(max_length=1, blank=True)
    # Type facts about each column, gathered when an uploaded CSV is read (inference.py), so a
    # bundle's schema is inferred without reading the file again; {} when not gathered.
    profile = models.JSONField(default=dict, blank=True)
    # The detected grid on first_page in points, as drawn over the page: {"columns": [x…],
    # "rows": [y…]}, the outer edges included; {} when unknown (uploads, sideways pages).
    grid = models.JSONField(default=dict, blank=True)
    # How a person re-extracted it: {"page", "area", "separators", "strategy"}; {} if never.
    fix = models.JSONField(default=dict, blank=True)
    # Counts re-extractions from 1; the earlier contents are kept as TableVersions.
    version = models.PositiveIntegerField(default=1)
    # A person looked at this version against the page and found it right.
    checked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document_id", "first_page", "id"]

    def __str__(self) -> str:
        return self.name


class TableVersion(models.Model):
    """A table's earlier content, kept when a re-extraction replaced it."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to="table-versions/%Y/%m/")
    n_rows = models.PositiveIntegerField(default=0)
    n_cols = models.PositiveIntegerField(default=0)
    bbox = models.JSONField(null=True, blank=True)
    strategy = models.CharField(max_length=16, blank=True)
    grid = models.JSONField(default=dict, blank=True)
    fix = models.JSONField(default=dict, blank=True)
    quality = models.FloatField(null=True, blank=True)
    quality_reasons = models.JSONField(default=list, blank=True)
    header_row = models.PositiveIntegerField(null=True, blank=True)
    column_names = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["table_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["table", "version"], name="table_version_unique")
        ]


class TableTemplate(models.Model):
    """A fix worth reusing: where the table sits, its columns and how to read it."""

    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="table_templates")
    name = models.CharField(max_length=120)
    page = models.PositiveIntegerField()
    # top, left, bottom, right in points from the displayed page's top-left corner.
    area = models.JSONField()
    separators = models.JSONField(default=list, blank=True)
    strategy = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="template_name_unique_per_owner")
        ]

    def __str__(self) -> str:
        return self.name


class Bundle(models.Model):
    """Tables loaded together into one warehouse table."""

    class LoadMode(models.TextChoices):
        APPEND = "append"
        REPLACE = "replace"
        UPSERT = "upsert"

    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="bundles")
    name = models.CharField(max_length=120)
    target_table = models.CharField(max_length=127)
    load_mode = models.CharField(max_length=8, choices=LoadMode.choices, default=LoadMode.APPEND)
    key_columns = models.JSONField(default=list, blank=True)
    # Column names and types as the user confirmed them; empty until inferred.
    schema = models.JSONField(default=list, blank=True)
    tables = models.ManyToManyField(Table, blank=True, related_name="bundles")
    # Members of these groups may view and load the bundle and see its runs; only its owner
    # or an administrator changes it.
    shared_with = models.ManyToManyField("auth.Group", blank=True, related_name="bundles")
    # Widen text columns and add new nullable ones to the existing table during a load.
    allow_schema_changes = models.BooleanField(default=True)
    # The user's answer per date column whose values read both ways: month-first/day-first.
    date_orders = models.JSONField(default=dict, blank=True)
    # The schema inferred for one version ({"version": n, ...}), reused until the next.
    inferred = models.JSONField(default=dict, blank=True)
    # Bumped on every change, so a repeated load of one version is recognised.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="bundle_name_unique_per_owner")
        ]

    def __str__(self) -> str:
        return self.name


class BundleSchedule(models.Model):
    """The schedule form's choice for a bundle, beside the beat row that fires it."""

    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="schedules")
    bundle = models.OneToOneField(Bundle, on_delete=models.CASCADE, related_name="schedule")
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask", null=True, on_delete=models.SET_NULL
    )
    # The frequencies the schedule form offers (backend/scheduling/spec.py), "none" aside.
    frequency = models.CharField(
        max_length=8, choices=[(f, f.capitalize()) for f in FREQUENCIES if f != NO_SCHEDULE]
    )
    # The form's fields for this frequency (date, time, weekdays, day, cron).
    form = models.JSONField(default=dict)
    timezone = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)


class Run(models.Model):
    """One long job, written when it is queued and updated until it ends."""

    class Kind(models.TextChoices):
        CONVERSION = "conversion"
        LOAD = "load"
        # One table of a document read again, from a person's area and columns.
        REEXTRACTION = "reextraction"

    class Status(models.TextChoices):
        QUEUED = "queued"
        STARTED = "started"
        PROGRESS = "progress"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        REVOKED = "revoked"

    class Trigger(models.TextChoices):
        MANUAL = "manual"
        SCHEDULE = "schedule"

    ACTIVE = (Status.QUEUED, Status.STARTED, Status.PROGRESS)

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    owner = models.ForeignKey(OWNER, on_delete=models.CASCADE, related_name="runs")
    task_id = models.CharField(max_length=255, unique=True)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    bundle = models.ForeignKey(
        Bundle, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    pages_total = models.PositiveIntegerField(null=True, blank=True)
    tables_found = models.PositiveIntegerField(default=0)
    rows_loaded = models.BigIntegerField(default=0)
    message = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    target = models.CharField(max_length=255, blank=True)
    # The bundle's name when the run was queued: History keeps it after a rename or delete.
    bundle_name = models.CharField(max_length=120, blank=True)
    # What the run was given, as it was when queued (a load: bundle version, mode, keys,
    # member tables, schedule), so its detail never shows today's bundle instead.
    inputs = models.JSONField(default=dict, blank=True)
    # A failure of the system (crash, time limit, warehouse unreachable), as opposed to one
    # of the input (file, bundle) that the person who ran it can fix.
    system_failure = models.BooleanField(default=False)
    # What a load changed in the existing warehouse table (widened or added columns).
    schema_changes = models.JSONField(default=list, blank=True)
    # When the reconciler first found no worker and no queue holding the run's task
    # (cleared when one does), and how often it has sent the task again.
    unheld_since = models.DateTimeField(null=True, blank=True)
    resends = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-queued_at"]
        indexes = [
            models.Index(fields=["-queued_at"], name="run_queued"),
            models.Index(fields=["status", "-queued_at"], name="run_status_queued"),
            models.Index(fields=["kind", "-queued_at"], name="run_kind_queued"),
            models.Index(fields=["owner", "-queued_at"], name="run_owner_queued"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.task_id}"


class Heartbeat(models.Model):
    """When a long-lived process (beat) last said it was alive."""

    name = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)


class AuditEvent(models.Model):
    """Who did what, when and from where: sign-ins, user changes, loads, schedule changes."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in"
        SIGN_IN_FAILED = "sign_in_failed"
        SIGN_OUT = "sign_out"
        USER_CHANGED = "user_changed"
        LOAD = "load"
        SCHEDULE_CHANGED = "schedule_changed"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    # The acting user, when known; `username` keeps the name typed at a failed sign-in.
    actor = models.ForeignKey(OWNER, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True)
    client = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["action", "username", "-at"], name="audit_user_action"),
            models.Index(fields=["action", "client", "-at"], name="audit_client_action"),
        ]
