import pandas as pd
import streamlit as st

from backend.access import is_admin
from backend.selectors.warehouse import LastLoad
from dashboard import data
from dashboard.session import current_user

user = current_user()
st.title("Warehouse")
st.caption(
    "The tables in the configured warehouse (read only), and which load last wrote each."
    + ("" if is_admin(user) else " Only the tables your bundles and loads write are listed.")
)

listing = data.warehouse_tables(user_id=user.pk)
if listing.error:
    st.error(f"The warehouse cannot be read: {listing.error}", icon=":material/cloud_off:")
    st.stop()
if not listing.tables:
    st.info("No warehouse tables to show yet. Load a bundle on the Bundles page.")
    st.stop()


def last_load_text(last: LastLoad | None) -> str:
    if last is None:
        return "not loaded by this dashboard"
    at = f"{last.at:%Y-%m-%d %H:%M}" if last.at else "–"
    return f"{last.bundle} · run #{last.run_id} · {last.by} · {at}"


overview = pd.DataFrame(
    [
        {
            "table": t.name,
            "rows": t.rows,
            "columns": len(t.columns),
            "last load": last_load_text(t.last_load),
        }
        for t in listing.tables
    ]
)
st.dataframe(overview, hide_index=True, width="stretch")

names = [t.name for t in listing.tables]
name = st.selectbox("Table", names)
table = next(t for t in listing.tables if t.name == name)
columns_col, preview_col = st.columns([1, 3])
with columns_col:
    st.markdown("**Columns**")
    st.dataframe(pd.DataFrame(table.columns), hide_index=True, width="stretch")
with preview_col:
    preview = data.warehouse_preview(user_id=user.pk, table=name)
    st.markdown(f"**First {len(preview.rows)} of {table.rows} rows**")
    st.dataframe(
        pd.DataFrame(preview.rows, columns=preview.columns),
        hide_index=True,
        width="stretch",
    )
