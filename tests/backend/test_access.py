"""Every service and selector that touches a person's data refuses another member and lets an
administrator through. The list of functions is read from the modules, so a new public
function without an acting user fails here until it gets one (or a reason in NO_USER)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import time, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

import backend.selectors
import backend.services
from backend.access import AccessDenied
from backend.models import Document, Run, TableTemplate
from backend.scheduling.spec import ScheduleSpec
from backend.services.documents import ConversionOptions
from tests.support.factories import make_run
from tests.support.users import PASSWORD, member, user_default

USER_PARAMS = {"owner", "by"}

# Public functions that take no acting user, and why none is needed.
WORKER = "runs in a worker on ids a checked service queued"
PURE = "works on values it is given; reads no one's data"
HELD = "works on an object the caller already got through a checked selector"
SYSTEM = "health of shared infrastructure; only the System page (administrators) calls it"
CONNECTION = "opens the configured warehouse for a caller that has checked the user"
NO_USER = {
    "selectors.warehouse.configured_warehouse": CONNECTION,
    **dict.fromkeys(
        [
            "services.conversion.document_convert",
            "services.conversion.document_convert_part",
            "services.pdf_passwords.document_password",
            "services.tables.table_profile_store",
            "services.conversion.document_finish_parts",
            "services.conversion.conversion_fail",
            "services.conversion.conversion_cancelled",
            "services.conversion_parts.conversion_parts_delete",
            "services.conversion_parts.parts_adopt_retried",
            "services.conversion_parts.stored_parts",
            "services.storage.local_pdf",
            "services.failures.run_fail",
            "services.heartbeats.heartbeat_write",
            "services.loads.load_run",  # takes `username` and checks it when it runs
            "services.loads.load_fail",
            "services.loads.load_retrying",
            "services.loads.load_staging_sweep",
            "services.runs.run_id_of",
            "services.runs.run_started",
            "services.runs.run_progress",
            "services.runs.run_raise_if_revoked",
            "services.runs.run_finished",
            "services.runs.run_mark_system_failure",
            "services.runs.run_revoke",
            "services.schedules.schedule_beat_rows_delete",
            "services.tables.table_create_extracted",
            "services.users.user_by_name",
        ],
        WORKER,
    ),
    **dict.fromkeys(
        [
            "services.conversion.too_slow_message",
            "services.pdf_passwords.password_option",
            "services.conversion_parts.parts_folder",
            "services.conversion_parts.part_count",
            "services.conversion_parts.split_pages",
            "services.pdf_passwords.options_without_password",
            "services.csv_import.detect_encoding",
            "services.csv_import.detect_dialect",
            "services.csv_import.csv_inspect",
            "services.csv_import.iter_table_rows",
            "services.documents.area_from_text",
            "services.documents.conversion_options_check",
            "services.documents.upload_check_pdf",
            "services.schedules.schedule_preview",
            "services.tables.csv_bytes",
            "services.tables.table_file_name",
            "services.tables.column_names_check",
            "selectors.documents.progress_text",
            "selectors.local_day.offset_spans",
            "selectors.run_detail.redact",
            "selectors.run_detail.redact_text",
            "selectors.runs.day_bounds",
            "selectors.runs.waited_s",
            "selectors.runs.local_now",
            "selectors.runs.history_default_filters",
            "selectors.tables.repeats_header",
            "selectors.tables.spreadsheet_safe",
            "selectors.bundles.warehouse_dialect",
        ],
        PURE,
    ),
    **dict.fromkeys(
        [
            "services.loads.load_problems",
            "services.loads.load_inputs",
            "services.loads.source_label",
            "services.run_actions.run_task_ids",
            "services.schedules.schedule_spec",
            "selectors.bundle_schema.bundle_members",
            "selectors.bundle_schema.bundle_schema",
            "selectors.bundle_schema.member_rows",
            "selectors.tables.table_summary",
            "selectors.tables.table_columns",
            "selectors.tables.table_first_rows",
            "selectors.tables.table_data_rows",
            "selectors.tables.table_profile_read",
            "services.tables.tables_profile_request",
            "selectors.tables.table_content",
            "selectors.tables.table_csv",
        ],
        HELD,
    ),
    **dict.fromkeys(
        [
            "selectors.system.system_warehouse",
            "selectors.system.system_database",
            "selectors.system.system_broker",
            "selectors.system.system_beat",
            "selectors.system.system_workers",
            "selectors.system.system_worker_tasks",
            "selectors.system.system_queue_lengths",
        ],
        SYSTEM,
    ),
    "services.users.users_exist": "says only whether the first-run screen applies",
    "services.users.user_create_first_admin": "refused once any user exists",
    "services.users.sign_in_lockout": "sign-in itself: no one is signed in yet",
    "services.users.user_sign_in": "sign-in itself: no one is signed in yet",
    "services.users.session_start": "called after a checked sign-in",
    "services.users.session_user": "resolves a session key to its user",
    "services.users.session_end": "ends only the session whose key is given",
    "services.users.user_from_identity": "called with the identity the OpenID provider vouched for",
    "services.audit.audit_record": "writes the audit trail for the acting user it is given",
    **dict.fromkeys(
        [
            "services.conversion_parts.part_file",
            "services.storage.stored_files",  # parts' and page pictures' folders
            "services.page_images.page_images_delete",  # by document_delete, after its check
            "services.reconcile.runs_reconcile",  # beat's, over every run
            "services.users.sessions_clear_expired",  # beat's, over every expired session
            "services.table_versions.table_reextract",
            "services.table_versions.table_replace",
        ],
        WORKER,
    ),
    **dict.fromkeys(
        [
            "selectors.table_versions.fix_text",
            "services.conversion_parts.parts_failure_message",
            "services.conversion.scanned_pages_text",
            "services.conversion.too_big_message",
            "services.page_images.page_image_name",
            "services.page_images.page_images_folder",
            "services.table_versions.table_fix_check",
            "services.tables.extracted_grid",
            "services.templates.template_conversion_options",
        ],
        PURE,
    ),
    "selectors.table_versions.tables_unchecked": HELD,
    "selectors.system.system_runs_waiting": SYSTEM,
}


def public_functions() -> dict[str, inspect.Signature]:
    found = {}
    for package in (backend.services, backend.selectors):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, fn in vars(module).items():
                mine = inspect.isfunction(fn) and fn.__module__ == module.__name__
                if mine and not name.startswith("_"):
                    key = f"{module.__name__.removeprefix('backend.')}.{name}"
                    found[key] = inspect.signature(fn)
    return found


def _with_user() -> set[str]:
    return {n for n, sig in public_functions().items() if USER_PARAMS & set(sig.parameters)}


@pytest.fixture
def world(transactional_db, own_warehouse):
    """Ann's document, table, bundle, schedule and runs; Bob, another member; an admin."""
    from django.core.files.base import ContentFile

    from backend.services.bundles import bundle_create, table_create_from_csv
    from backend.services.schedules import schedule_save
    from backend.services.tables import table_create_extracted

    ann, bob, admin = member("ann"), member("bob"), user_default()
    team = Group.objects.create(name="alpha-team")
    ann.groups.add(team)
    document = Document(owner=ann, name="alpha.pdf", sha256="a" * 64, size_bytes=3)
    document.file.save("alpha.pdf", ContentFile(b"%PDF"), save=False)
    document.status = Document.Status.CONVERTED
    document.save()
    extracted = table_create_extracted(
        document=document, rows=[["a"], ["1"]], number=1, first_page=1, last_page=1
    )
    bundle = bundle_create(owner=ann, name="alpha", target_table="alpha", load_mode="append")
    table, _ = table_create_from_csv(
        owner=ann, name="alpha.csv", content=b"a,b\n1,2\n", bundle_id=bundle.pk
    )
    daily = ScheduleSpec(frequency="daily", timezone="UTC", run_time=time(6, 0))
    schedule = schedule_save(bundle_id=bundle.pk, owner=ann, spec=daily)
    failed = make_run(
        kind="load",
        owner=ann,
        task_id="alpha-failed",
        status="failed",
        bundle=bundle,
        bundle_name="alpha",
        finished_at=timezone.now(),
        duration_s=1.0,
    )
    TableTemplate.objects.create(
        owner=ann, name="alpha", page=1, area=[0, 0, 9, 9], strategy="text"
    )
    queued = make_run(kind="conversion", owner=ann, task_id="alpha-queued", document=document)
    return {
        "ann": ann,
        "bob": bob,
        "admin": admin,
        "team": team,
        "document": document,
        "extracted": extracted,
        "bundle": bundle,
        "table": table,
        "schedule": schedule,
        "daily": daily,
        "failed": failed,
        "queued": queued,
    }


def _svc(module: str):
    return importlib.import_module(f"backend.services.{module}")


def _sel(module: str):
    return importlib.import_module(f"backend.selectors.{module}")


def _document_delete(user: User, world: dict):
    # A document with a run under way is not deleted by anyone; end that run first.
    Run.objects.filter(pk=world["queued"].pk).update(status="failed")
    return _svc("documents").document_delete(owner=user, document_id=world["document"].pk)


def _not_denied(call):
    """Past the access check: what the call does next (read a PDF, check a fix) may refuse
    for its own reasons, which this case does not judge."""
    try:
        return call()
    except AccessDenied:
        raise
    except Exception:
        return None


def _fix(world: dict):
    return _svc("table_versions").TableFix(page=1, area=(0.0, 0.0, 100.0, 100.0))


def _loaded(world: dict) -> str:
    """Ann's bundle loaded into the warehouse (once a test): its table's name."""
    if "loaded" not in world:
        from tests.backend.selectors.test_warehouse import load_now

        load_now(world["bundle"], "ann")
        world["loaded"] = world["bundle"].target_table
    return world["loaded"]


def _warehouse_names(user: User, world: dict) -> list[str]:
    _loaded(world)
    return [t.name for t in _sel("warehouse").warehouse_tables(by=user).tables]


def _filters():
    return _sel("runs").RunFilters()


# Calls that change or open one of Ann's things: refused for Bob, allowed for an admin.
REFUSED = {
    "services.table_versions.table_mark_checked": lambda u, w: _svc(
        "table_versions"
    ).table_mark_checked(owner=u, table_id=w["extracted"].pk),
    "services.table_versions.table_reextract_enqueue": lambda u, w: _not_denied(
        lambda: _svc("table_versions").table_reextract_enqueue(
            owner=u, table_id=w["extracted"].pk, fix=_fix(w)
        )
    ),
    "services.templates.template_save": lambda u, w: _not_denied(
        lambda: _svc("templates").template_save(owner=u, table_id=w["extracted"].pk, name="x")
    ),
    "services.templates.template_apply": lambda u, w: _not_denied(
        lambda: _svc("templates").template_apply(
            owner=u, name="alpha", document_id=w["document"].pk
        )
    ),
    "services.page_images.page_image": lambda u, w: _not_denied(
        lambda: _svc("page_images").page_image(
            owner=u, document_id=w["document"].pk, page=1, width_px=200
        )
    ),
    "selectors.table_versions.table_versions_of": lambda u, w: _sel(
        "table_versions"
    ).table_versions_of(owner=u, table_id=w["extracted"].pk),
    "selectors.table_versions.reextraction_state": lambda u, w: _sel(
        "table_versions"
    ).reextraction_state(owner=u, run_id=w["queued"].pk),
    "selectors.table_versions.bundle_members_review": lambda u, w: _sel(
        "table_versions"
    ).bundle_members_review(owner=u, bundle_id=w["bundle"].pk),
    "selectors.tables.tables_to_check": lambda u, w: _sel("tables").tables_to_check(
        owner=u, document_id=w["document"].pk
    ),
    "services.bundles.bundle_update": lambda u, w: _svc("bundles").bundle_update(
        by=u,
        bundle_id=w["bundle"].pk,
        name="alpha2",
        target_table="alpha",
        load_mode="append",
        key_columns=[],
    ),
    "services.bundles.bundle_profiles_request": lambda u, w: _svc(
        "bundles"
    ).bundle_profiles_request(by=u, bundle_id=w["bundle"].pk),
    "services.bundles.bundle_set_tables": lambda u, w: _svc("bundles").bundle_set_tables(
        by=u, bundle_id=w["bundle"].pk, table_ids=[w["table"].pk]
    ),
    "services.bundles.bundle_set_schema": lambda u, w: _svc("bundles").bundle_set_schema(
        by=u, bundle_id=w["bundle"].pk, columns=[{"name": "a", "type": "BIGINT"}]
    ),
    "services.bundles.bundle_set_date_order": lambda u, w: _svc("bundles").bundle_set_date_order(
        by=u, bundle_id=w["bundle"].pk, column="a", order="month-first"
    ),
    "services.bundles.bundle_set_decimal_mark": lambda u, w: _svc(
        "bundles"
    ).bundle_set_decimal_mark(by=u, bundle_id=w["bundle"].pk, table_id=w["table"].pk, mark="."),
    "services.bundles.bundle_set_schema_changes": lambda u, w: _svc(
        "bundles"
    ).bundle_set_schema_changes(by=u, bundle_id=w["bundle"].pk, allowed=False),
    "services.bundles.bundle_delete": lambda u, w: _svc("bundles").bundle_delete(
        by=u, bundle_id=w["bundle"].pk
    ),
    "services.bundles.table_create_from_csv": lambda u, w: _svc("bundles").table_create_from_csv(
        owner=u, name="x.csv", content=b"a,b\n3,4\n", bundle_id=w["bundle"].pk
    ),
    "services.documents.document_enqueue_conversion": lambda u, w: _svc(
        "documents"
    ).document_enqueue_conversion(document=w["document"], owner=u),
    "services.documents.document_convert_again": lambda u, w: _svc(
        "documents"
    ).document_convert_again(owner=u, document_id=w["document"].pk),
    "services.documents.document_upload_copy": lambda u, w: _not_denied(
        lambda: _svc("documents").document_upload_copy(
            owner=u, name="copy.pdf", earlier_id=w["document"].pk, options=ConversionOptions()
        )
    ),
    "services.documents.document_delete": lambda u, w: _document_delete(u, w),
    "services.documents.document_set_archived": lambda u, w: _svc(
        "documents"
    ).document_set_archived(owner=u, document_id=w["document"].pk, archived=True),
    "services.loads.load_enqueue": lambda u, w: _svc("loads").load_enqueue(
        bundle_id=w["bundle"].pk, owner=u
    ),
    "services.run_actions.run_retry": lambda u, w: _svc("run_actions").run_retry(
        run_id=w["failed"].pk, owner=u
    ),
    "services.run_actions.run_cancel": lambda u, w: _svc("run_actions").run_cancel(
        run_id=w["queued"].pk, by=u
    ),
    "services.schedules.schedule_save": lambda u, w: _svc("schedules").schedule_save(
        bundle_id=w["bundle"].pk, owner=u, spec=w["daily"]
    ),
    "services.schedules.schedule_pause": lambda u, w: _svc("schedules").schedule_pause(
        by=u, bundle_id=w["schedule"].bundle_id
    ),
    "services.schedules.schedule_resume": lambda u, w: _svc("schedules").schedule_resume(
        by=u, bundle_id=w["schedule"].bundle_id
    ),
    "services.schedules.schedule_delete": lambda u, w: _svc("schedules").schedule_delete(
        by=u, bundle_id=w["bundle"].pk
    ),
    "services.schedules.schedule_run_now": lambda u, w: _svc("schedules").schedule_run_now(
        bundle_id=w["schedule"].bundle_id, owner=u
    ),
    "services.tables.table_set_header": lambda u, w: _svc("tables").table_set_header(
        by=u, table_id=w["table"].pk, header_row=0, column_names=[]
    ),
    "services.users.user_create": lambda u, w: _svc("users").user_create(
        by=u, username="carol", password=PASSWORD
    ),
    "services.users.user_set_active": lambda u, w: _svc("users").user_set_active(
        by=u, user_id=w["ann"].pk, active=False
    ),
    "services.users.user_set_password": lambda u, w: _svc("users").user_set_password(
        by=u, user_id=w["ann"].pk, password=PASSWORD + " again"
    ),
    "services.users.user_set_admin": lambda u, w: _svc("users").user_set_admin(
        by=u, user_id=w["ann"].pk, admin=True
    ),
    "selectors.bundles.bundle_recent_loads": lambda u, w: _sel("bundles").bundle_recent_loads(
        by=u, bundle_id=w["bundle"].pk
    ),
    "selectors.bundles.bundle_schema_view": lambda u, w: _sel("bundles").bundle_schema_view(
        by=u, bundle_id=w["bundle"].pk
    ),
    "selectors.bundles.bundle_table_changes": lambda u, w: _sel("bundles").bundle_table_changes(
        by=u, bundle_id=w["bundle"].pk
    ),
    "selectors.tables.table_view": lambda u, w: _sel("tables").table_view(
        owner=u, table_id=w["table"].pk, rows=5
    ),
    "selectors.tables.table_download": lambda u, w: _sel("tables").table_download(
        owner=u, table_id=w["table"].pk
    ),
    "selectors.users.users_list": lambda u, w: _sel("users").users_list(by=u),
    "selectors.warehouse.warehouse_preview": lambda u, w: _sel("warehouse").warehouse_preview(
        by=u, table=_loaded(w)
    ),
    "selectors.groups.groups_list": lambda u, w: _sel("groups").groups_list(by=u),
    "services.groups.group_create": lambda u, w: _svc("groups").group_create(by=u, name="beta"),
    "services.groups.group_delete": lambda u, w: _svc("groups").group_delete(
        by=u, group_id=w["team"].pk
    ),
    "services.groups.group_set_members": lambda u, w: _svc("groups").group_set_members(
        by=u, group_id=w["team"].pk, user_ids=[w["bob"].pk]
    ),
    "services.groups.bundle_share": lambda u, w: _svc("groups").bundle_share(
        by=u, bundle_id=w["bundle"].pk, group_ids=[w["team"].pk]
    ),
    "selectors.users.audit_events": lambda u, w: _sel("users").audit_events(by=u),
}

# Reads: Ann's things are left out for Bob and there for an admin ("alpha" names them).
HIDDEN = {
    "services.templates.template_names": lambda u, w: _svc("templates").template_names(owner=u),
    "services.templates.template_get": lambda u, w: _not_denied(
        lambda: _svc("templates").template_get(owner=u, name="alpha").name
    ),
    "selectors.bundles.bundles_of_owner": lambda u, w: _sel("bundles").bundles_of_owner(owner=u),
    "selectors.bundles.tables_available": lambda u, w: _sel("bundles").tables_available(owner=u),
    "selectors.documents.documents_recent": lambda u, w: _sel("documents").documents_recent(
        owner=u
    ),
    "selectors.documents.document_detail": lambda u, w: _sel("documents").document_detail(
        owner=u, document_id=w["document"].pk
    ),
    "selectors.run_detail.run_detail": lambda u, w: _sel("run_detail").run_detail(
        by=u, run_id=w["failed"].pk
    ),
    "selectors.runs.runs_filtered": lambda u, w: list(
        _sel("runs").runs_filtered(by=u, filters=_filters()).values("task_id")
    ),
    "selectors.runs.runs_page": lambda u, w: _sel("runs").runs_page(by=u, filters=_filters()),
    "selectors.runs.runs_any_active": lambda u, w: (
        "alpha" if _sel("runs").runs_any_active(by=u, filters=_filters()) else ""
    ),
    "selectors.runs.runs_count": lambda u, w: (
        "alpha" * _sel("runs").runs_count(by=u, filters=_filters())
    ),
    "selectors.runs.runs_span": lambda u, w: (
        "alpha" if _sel("runs").runs_span(by=u, filters=_filters()) else ""
    ),
    "selectors.runs.runs_daily": lambda u, w: (
        "alpha"
        if _sel("runs").runs_daily(by=u, filters=_filters(), tz=timezone.get_current_timezone())
        else ""
    ),
    "selectors.runs.runs_duration_percentiles": lambda u, w: (
        "alpha"
        if _sel("runs").runs_duration_percentiles(
            by=u, filters=_filters(), tz=timezone.get_current_timezone()
        )
        else ""
    ),
    "selectors.runs.runs_failure_rate_by_bundle": lambda u, w: _sel(
        "runs"
    ).runs_failure_rate_by_bundle(by=u, filters=_filters()),
    "selectors.runs.runs_recent_failures": lambda u, w: _sel("runs").runs_recent_failures(by=u),
    "selectors.runs.runs_filter_choices": lambda u, w: _sel("runs").runs_filter_choices(by=u),
    "selectors.groups.groups_to_share_with": lambda u, w: _sel("groups").groups_to_share_with(by=u),
    "selectors.warehouse.warehouse_tables": lambda u, w: _warehouse_names(u, w),
    "selectors.schedules.schedules_list": lambda u, w: _sel("schedules").schedules_list(by=u),
    "selectors.schedules.schedule_of_bundle": lambda u, w: (
        "alpha" if _sel("schedules").schedule_of_bundle(by=u, bundle_id=w["bundle"].pk) else ""
    ),
    "selectors.schedules.schedule_bundle_choices": lambda u, w: _sel(
        "schedules"
    ).schedule_bundle_choices(by=u),
    "selectors.schedules.schedule_filter_choices": lambda u, w: _sel(
        "schedules"
    ).schedule_filter_choices(by=u),
    "selectors.schedules.schedule_calendar": lambda u, w: _sel("schedules").schedule_calendar(
        by=u, start=timezone.now() - timedelta(days=1), end=timezone.now() + timedelta(days=2)
    ),
    "selectors.tables.tables_of_document": lambda u, w: _sel("tables").tables_of_document(
        owner=u, document_id=w["document"].pk
    ),
    "selectors.tables.tables_zip": lambda u, w: (
        "alpha"
        if len(_sel("tables").tables_zip(owner=u, document_id=w["document"].pk)) > 22
        else ""
    ),
}

# Making something new of one's own: a deactivated account is refused, an admin is not.
CREATES = {
    "services.bundles.bundle_create": lambda u, w: _svc("bundles").bundle_create(
        owner=u, name="new", target_table="new", load_mode="append"
    ),
    "services.documents.document_upload": None,  # covered by the browser and upload tests
    "services.runs.run_enqueue": None,  # only called by the checked services above
}


def test_every_function_with_user_data_has_a_check_case():
    functions = public_functions()
    without_user = set(functions) - _with_user()
    assert without_user - set(NO_USER) == set(), "add an acting user (owner= or by=) or a reason"
    assert set(NO_USER) - set(functions) == set(), "NO_USER names functions that are gone"
    assert _with_user() == set(REFUSED) | set(HIDDEN) | set(CREATES)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_another_member_is_refused_and_an_administrator_allowed(world, name):
    with pytest.raises(AccessDenied):
        REFUSED[name](world["bob"], world)
    REFUSED[name](world["admin"], world)


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_another_member_sees_none_of_it_and_an_administrator_does(world, name):
    assert "alpha" not in repr(HIDDEN[name](world["bob"], world))
    assert "alpha" in repr(HIDDEN[name](world["admin"], world))


def test_a_deactivated_member_creates_nothing(world):
    User.objects.filter(pk=world["bob"].pk).update(is_active=False)
    world["bob"].refresh_from_db()
    with pytest.raises(AccessDenied):
        CREATES["services.bundles.bundle_create"](world["bob"], world)
    CREATES["services.bundles.bundle_create"](world["admin"], world)
