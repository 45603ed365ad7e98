import pandas as pd
import streamlit as st

from backend.errors import UserFixable
from backend.selectors.bundles import (
    BundleRow,
    SchemaView,
    bundle_recent_loads,
    bundles_of_owner,
    tables_available,
)
from backend.selectors.groups import groups_to_share_with
from backend.selectors.table_versions import bundle_members_review
from backend.services.bundles import (
    DATE_ORDERS,
    DAY_FIRST,
    MONTH_FIRST,
    bundle_create,
    bundle_delete,
    bundle_set_date_order,
    bundle_set_decimal_mark,
    bundle_set_schema,
    bundle_set_schema_changes,
    bundle_set_tables,
    bundle_update,
    table_create_from_csv,
)
from backend.services.csv_import import csv_inspect
from backend.services.groups import bundle_share
from backend.services.loads import LoadNeedsConfirmation, load_enqueue
from dashboard import data, state
from dashboard.components.outcomes import outcome_add, outcomes_render, outcomes_start, show_refusal
from dashboard.components.picker import remembered_selectbox
from dashboard.session import client_address, current_user

MODES = {
    "append": "Append rows",
    "replace": "Replace the table's rows",
    "upsert": "Upsert on key columns",
}
STATUS_ICON = {
    "succeeded": ":green[:material/check_circle:]",
    "failed": ":red[:material/error:]",
    "revoked": ":gray[:material/block:]",
}

st.title("Bundles")
st.caption("Group tables into a bundle, check the schema it will create, and load it.")
user = current_user()


def settings_fields(prefix: str, bundle: BundleRow | None = None) -> dict:
    left, right = st.columns(2)
    return {
        "name": left.text_input("Name", value=bundle.name if bundle else "", key=f"{prefix}-name"),
        "target_table": right.text_input(
            "Warehouse table",
            value=bundle.target_table if bundle else "",
            key=f"{prefix}-target",
            help="Normalised to a valid identifier: lower case, letters, digits and _.",
        ),
        "load_mode": left.selectbox(
            "Load mode",
            list(MODES),
            index=list(MODES).index(bundle.load_mode) if bundle else 0,
            format_func=MODES.__getitem__,
            key=f"{prefix}-mode",
        ),
        "key_columns": right.text_input(
            "Key columns (upsert)",
            value=", ".join(bundle.key_columns) if bundle else "",
            key=f"{prefix}-keys",
        ).split(","),
    }


def render_new_bundle() -> None:
    with st.expander("New bundle", expanded=not bundles), st.form("new-bundle"):
        fields = settings_fields("new")
        if st.form_submit_button("Create bundle", type="primary"):
            try:
                bundle = bundle_create(owner=user, **fields)
            except UserFixable as refused:
                show_refusal(refused)
                return
            for key in ("new-name", "new-target", "new-mode", "new-keys"):
                st.session_state.pop(key, None)  # the form opens empty for the next bundle
            outcomes_start("bundles")
            outcome_add("bundles", "success", f"Bundle **{bundle.name}** created.")
            st.session_state[state.BUNDLE] = bundle.id
            st.rerun()


def render_settings(bundle: BundleRow) -> None:
    with st.form("bundle-settings"):
        fields = settings_fields("edit", bundle)
        if st.form_submit_button("Save settings"):
            try:
                bundle_update(by=user, bundle_id=bundle.id, **fields)
                st.rerun()
            except UserFixable as refused:
                show_refusal(refused)


def render_sharing(bundle: BundleRow) -> None:
    """Share the bundle with groups: their members may view and load it and see its runs."""
    choices = {g.id: g.name for g in groups_to_share_with(by=user)}
    others = [name for pk, name in bundle.shared_with.items() if pk not in choices]
    with st.form("bundle-sharing"):
        st.markdown("**Shared with groups** (their members may view and load it, not change it)")
        chosen = st.multiselect(
            "Groups",
            list(choices),
            default=[pk for pk in bundle.shared_with if pk in choices],
            format_func=choices.__getitem__,
            placeholder="Not shared" if choices else "You belong to no group",
        )
        if others:
            st.caption("Also shared with " + ", ".join(others) + " by an administrator.")
        if st.form_submit_button("Save sharing"):
            bundle_share(by=user, bundle_id=bundle.id, group_ids=chosen, client=client_address())
            outcomes_start("bundles")
            outcome_add("bundles", "success", f"Sharing of **{bundle.name}** saved.")
            st.rerun()


def render_members(bundle: BundleRow, editable: bool) -> None:
    if not editable:
        render_member_review(bundle)
        return
    # Sorted by label, which starts with the document: a document's tables stand together.
    available = sorted(tables_available(owner=user), key=lambda t: t.label)
    labels = {t.id: t.label for t in available}
    documents = {t.document_id: t.origin for t in available if t.document_id}
    render_member_review(bundle)
    with st.form("members"):
        chosen = st.multiselect(
            "Tables in this bundle",
            list(labels),
            default=bundle.table_ids,
            format_func=labels.__getitem__,
        )
        whole = st.multiselect(
            "Add all tables of these documents", list(documents), format_func=documents.__getitem__
        )
        if st.form_submit_button("Save tables"):
            of_documents = {t.id for t in available if t.document_id in whole}
            bundle_set_tables(by=user, bundle_id=bundle.id, table_ids=set(chosen) | of_documents)
            st.rerun()
    # A form that clears on submit: added files leave the uploader, so a second click
    # cannot add them twice.
    with st.form("csv-upload", clear_on_submit=True):
        uploads = st.file_uploader(
            "Add CSV files", type=["csv", "txt", "tsv"], accept_multiple_files=True
        )
        added = st.form_submit_button("Add to bundle", icon=":material/add:")
    if added:
        add_csvs(bundle, uploads)
    outcomes_render("csv")
    render_csv_questions(bundle)


def add_csvs(bundle: BundleRow, uploads) -> None:
    outcomes_start("csv")
    if not uploads:
        outcome_add("csv", "warning", "Choose one or more CSV files first.")
    pending = st.session_state.setdefault(state.CSV_PENDING, {})
    for upload in uploads or []:
        content = upload.getvalue()
        try:
            layout = csv_inspect(content)
        except UserFixable as refused:
            show_refusal(refused, lead=f"{upload.name}:", area="csv")
            continue
        if layout.has_surroundings or layout.blank_names:
            pending[upload.name] = (bundle.id, content)  # asked below the uploader
            continue
        store_csv(bundle, upload.name, content)
    st.rerun()


def store_csv(bundle: BundleRow, name: str, content: bytes, **answers) -> bool:
    try:
        _, layout = table_create_from_csv(
            owner=user, name=name, content=content, bundle_id=bundle.id, **answers
        )
    except UserFixable as refused:
        show_refusal(refused, lead=f"{name}:", area="csv")
        return False
    text = f"{name}: a header and {layout.rows} rows, read as {layout.dialect.describe()}"
    if layout.skipped_empty:
        text += f"; empty rows left out: lines {', '.join(map(str, layout.skipped_empty[:10]))}"
        text += " …" if len(layout.skipped_empty) > 10 else ""
    outcome_add("csv", "success", text)
    return True


def render_csv_questions(bundle: BundleRow) -> None:
    """Files that need the user's word before they join the bundle: where the table is, and
    names for blank header cells."""
    pending = st.session_state.get(state.CSV_PENDING, {})
    for name, (bundle_id, content) in list(pending.items()):
        if bundle_id != bundle.id:
            continue
        layout = csv_inspect(content)
        with st.form(f"csv-question-{name}", border=True):
            st.markdown(f"**{name}** needs your answer before it joins the bundle")
            answers = csv_question_fields(name, layout)
            add, drop = st.columns(2)
            confirmed = add.form_submit_button("Add with these answers", type="primary")
            discarded = drop.form_submit_button("Don't add this file")
        if confirmed or discarded:
            outcomes_start("csv")
            # Kept while an answer is missing, so the user can complete it.
            if discarded or store_csv(bundle, name, content, **answers):
                pending.pop(name)
            st.rerun()


def csv_question_fields(file: str, layout) -> dict:
    answers: dict = {}
    if layout.has_surroundings:
        st.warning(
            f"The table seems to start at line {layout.header_line} (its header) and end at "
            f"line {layout.last_line}. These lines around it look like a title or notes and "
            "are left out:",
            icon=":material/table_rows:",
        )
        around = layout.above + layout.below
        st.code("\n".join(f"{line:>5} | {text}" for line, text in around), language="text")
        if st.checkbox(f"The table is lines {layout.header_line}-{layout.last_line}", value=True):
            answers["table_lines"] = (layout.header_line, layout.last_line)
    if layout.blank_names:
        st.warning(
            f"The header (line {layout.header_line}) has no name for column "
            f"{', '.join(map(str, layout.blank_names))}. Name "
            f"{'them' if len(layout.blank_names) > 1 else 'it'}:",
            icon=":material/edit:",
        )
        answers["names"] = {
            position: st.text_input(f"Name of column {position}", key=f"{file}-name-{position}")
            for position in layout.blank_names
        }
    return answers


def render_schema(bundle: BundleRow, editable: bool) -> None:
    view = data.bundle_schema(user_id=user.pk, bundle_id=bundle.id, version=bundle.version)
    for problem in view.problems:
        st.error(problem, icon=":material/warning:")
    if not view.columns:
        return
    if not editable:
        st.markdown("**Columns and types**")
        st.dataframe(pd.DataFrame(view.columns), hide_index=True, width="stretch")
        render_table_changes(bundle, view, editable=False)
        return
    render_date_questions(bundle, view.date_questions)
    with st.form("schema"):
        st.markdown("**Columns and types** (edit before loading)")
        edited = st.data_editor(pd.DataFrame(view.columns), hide_index=True, width="stretch")
        if st.form_submit_button("Save schema"):
            try:
                bundle_set_schema(by=user, bundle_id=bundle.id, columns=edited.to_dict("records"))
                st.rerun()
            except UserFixable as refused:
                show_refusal(refused)
    st.caption(
        f"Text columns are declared {view.text_headroom}× as wide as their longest value "
        "(at least 16 bytes, rounded up to a power of two), so a slightly longer value in a "
        "later file still fits the table the first load creates."
    )
    render_reading(bundle, view)
    render_table_changes(bundle, view)


def render_date_questions(bundle: BundleRow, columns: list[str]) -> None:
    for column in columns:
        with st.form(f"date-order-{column}"):
            order = st.radio(
                f"How are the dates in **{column}** written? Every value reads both ways.",
                list(DATE_ORDERS),
                format_func={
                    MONTH_FIRST: "month first (3/4/2024 is March 4)",
                    DAY_FIRST: "day first (3/4/2024 is 3 April)",
                }.get,
                index=None,
                horizontal=True,
            )
            if st.form_submit_button("Save date order") and order:
                bundle_set_date_order(by=user, bundle_id=bundle.id, column=column, order=order)
                st.rerun()


def render_reading(bundle: BundleRow, view: SchemaView) -> None:
    """How numbers and dates written by people are read, and each file's decimal mark."""
    if view.written_as:
        st.markdown("**Values written as people write them**, loaded as what they mean")
        st.dataframe(pd.DataFrame(view.written_as), hide_index=True, width="stretch")
    marks = {".": "1,234.5 (decimal point)", ",": "1.234,5 (decimal comma)"}
    with st.form("decimal-marks"):
        st.markdown("**Number format of each file**, found from its values")
        chosen = {
            m.table_id: st.selectbox(
                m.name,
                list(marks),
                index=list(marks).index(m.decimal_mark),
                format_func=marks.__getitem__,
                key=f"mark-{m.table_id}",
            )
            for m in view.members
            if not m.problem
        }
        if st.form_submit_button("Save number formats"):
            for member in view.members:
                mark = chosen.get(member.table_id)
                if mark and mark != member.decimal_mark:
                    bundle_set_decimal_mark(
                        by=user, bundle_id=bundle.id, table_id=member.table_id, mark=mark
                    )
            st.rerun()


def render_table_changes(bundle: BundleRow, view: SchemaView, editable: bool = True) -> None:
    changes = data.bundle_table_changes(
        user_id=user.pk, bundle_id=bundle.id, version=bundle.version
    )
    if changes.error:
        st.warning(f"Can't compare with the warehouse: {changes.error}")
    if not changes.exists:
        st.markdown(f"**DDL that will run** on the {view.dialect} warehouse")
        st.code(view.ddl, language="sql")
        return
    st.markdown(f"**Table {bundle.target_table} already exists** in the warehouse")
    for refusal in changes.refusals:
        st.error(f"A load would be refused: {refusal}.", icon=":material/block:")
    for change in changes.changes:
        st.info(f"The next load will {change}.", icon=":material/table_edit:")
    if changes.changes:
        st.code(";\n".join(changes.sql), language="sql")
    if not changes.refusals and not changes.changes:
        st.success("The bundle's columns fit the table as it is.", icon=":material/check:")
    allowed = st.toggle(
        "Let loads widen text columns and add new columns to the table",
        value=view.allow_schema_changes,
        help="Done inside the load's transaction and recorded on the run.",
        disabled=not editable,
    )
    if allowed != view.allow_schema_changes:
        bundle_set_schema_changes(by=user, bundle_id=bundle.id, allowed=allowed)
        st.rerun()


@st.fragment(run_every=2)
def render_loads(bundle_id: int) -> None:
    try:
        loads = bundle_recent_loads(by=user, bundle_id=bundle_id)
    except UserFixable:  # the bundle was deleted or unshared: the page redraws without it
        st.rerun(scope="app")
    for run in loads:
        icon = STATUS_ICON.get(run.status, ":blue[:material/hourglass_top:]")
        line = f"{icon} {run.queued_at:%Y-%m-%d %H:%M:%S} · {run.trigger} · {run.status}"
        if run.status == "succeeded":
            line += f" · {run.rows_loaded} rows"
        st.markdown(line)
        if run.error:
            st.error(run.error)
        elif run.message:
            st.caption(run.message)


def load_now(bundle: BundleRow, confirmed: bool = False) -> None:
    outcomes_start("bundles")
    st.session_state.pop(state.CONFIRM_LOAD, None)
    try:
        run = load_enqueue(bundle_id=bundle.id, owner=user, confirmed_unchecked=confirmed)
    except LoadNeedsConfirmation as exc:
        st.session_state[state.CONFIRM_LOAD] = (bundle.id, str(exc))
    except UserFixable as refused:
        show_refusal(refused, area="bundles")
    else:
        text = f"Load queued as run {run.pk} (version {bundle.version}); see the Loads tab."
        outcome_add("bundles", "success", text)
    st.rerun()  # the outcome shows above, where the page draws it


def render_delete(bundle: BundleRow, column) -> None:
    # Deleting cannot be undone: ask first, as deleting a schedule does.
    with column.popover("Delete bundle", icon=":material/delete:"):
        st.markdown(
            f"Delete **{bundle.name}**? Its schedule goes with it. Its tables stay, and "
            "History keeps its runs under this name."
        )
        if st.button("Yes, delete the bundle", type="primary", key=f"delete-{bundle.id}"):
            name = bundle.name
            bundle_delete(by=user, bundle_id=bundle.id)
            st.session_state.pop(state.BUNDLE, None)
            outcomes_start("bundles")
            outcome_add("bundles", "success", f"Bundle **{name}** deleted.")
            st.rerun()


def render_confirm_load(bundle: BundleRow) -> None:
    """Asked when member tables are flagged and unchecked: load them as they are?"""
    asked = st.session_state.get(state.CONFIRM_LOAD)
    if not asked or asked[0] != bundle.id:
        return
    st.warning(asked[1], icon="⚠️")
    yes_col, no_col, _ = st.columns([1, 1, 2])
    if yes_col.button("Load them as they are", type="primary", key="confirm-load-yes"):
        load_now(bundle, confirmed=True)
    if no_col.button("Not now", key="confirm-load-no"):
        st.session_state.pop(state.CONFIRM_LOAD, None)
        st.rerun()


def render_member_review(bundle: BundleRow) -> None:
    """Each member with its flag and whether a fix changed it since the last load."""
    review = bundle_members_review(owner=user, bundle_id=bundle.id)
    if not review:
        return

    def since_load(m) -> str:
        if m.loaded_version is None:
            return "not loaded yet"
        if m.loaded_version != m.version:
            return f"changed: version {m.loaded_version} loaded, now {m.version}"
        return "as loaded"

    st.dataframe(
        pd.DataFrame(
            {
                "table": [m.name for m in review],
                "rows": [m.rows for m in review],
                "columns": [m.columns for m in review],
                "check": [f"check this table: {m.check}" if m.check else "" for m in review],
                "since the last load": [since_load(m) for m in review],
            }
        ),
        hide_index=True,
        width="stretch",
    )


@st.fragment(run_every=2)
def await_column_facts(bundle_id: int, version: int) -> None:
    """While a worker reads members' column types, say so and redraw the page when done."""
    view = data.bundle_schema(user_id=user.pk, bundle_id=bundle_id, version=version)
    if not view.pending:
        st.rerun(scope="app")
    st.info(
        f"A worker is reading the column types of {', '.join(view.pending)}; loading is "
        "possible in a moment.",
        icon=":material/hourglass_top:",
    )


def render_bundle(bundle: BundleRow) -> None:
    editable = bundle.may_change
    st.subheader(bundle.name)
    st.caption(
        f"→ {bundle.target_table} · {MODES[bundle.load_mode].lower()} · version {bundle.version}"
    )
    if not editable:
        groups = ", ".join(bundle.shared_with.values())
        st.info(
            f"Shared by **{bundle.owner}** with {groups}: you may view and load it; only its "
            "owner or an administrator changes it.",
            icon=":material/group:",
        )
    view = data.bundle_schema(user_id=user.pk, bundle_id=bundle.id, version=bundle.version)
    problems = view.problems
    why = "Cannot load yet: " + " ".join(problems) if problems else None
    load_col, schedule_col, delete_col = st.columns(3)
    if load_col.button(
        "Load now", type="primary", icon=":material/upload:", disabled=bool(problems), help=why
    ):
        load_now(bundle)
    render_confirm_load(bundle)
    if editable and schedule_col.button(
        "Schedule loads", icon=":material/schedule:", disabled=bool(problems), help=why
    ):
        state.open_schedule(bundle.id)
    if editable:
        render_delete(bundle, delete_col)
    if view.pending:
        await_column_facts(bundle.id, bundle.version)
    elif problems:
        st.warning(
            "**Load now and Schedule loads are off** until this is fixed (Tables and Schema "
            "tabs): " + " ".join(problems),
            icon=":material/block:",
        )
    # Keyed by bundle: another bundle opens on its first tab, not on the last one's.
    names = ["Tables", "Schema", "Loads"] + (["Settings"] if editable else [])
    tabs = st.tabs(names, key=f"bundle-tabs-{bundle.id}")
    with tabs[0]:
        render_members(bundle, editable)
    with tabs[1]:
        render_schema(bundle, editable)
    with tabs[2]:
        render_loads(bundle.id)
    if editable:
        with tabs[3]:
            render_settings(bundle)
            render_sharing(bundle)


bundles = bundles_of_owner(owner=user)
render_new_bundle()
outcomes_render("bundles")
if bundles:
    rows = {b.id: b for b in bundles}
    names = {b.id: b.name if b.owner == user.username else f"{b.name} ({b.owner})" for b in bundles}
    bundle_id = remembered_selectbox(
        "Bundle", list(names), state_key=state.BUNDLE, format_func=names.__getitem__
    )
    render_bundle(rows[bundle_id])
