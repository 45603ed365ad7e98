import streamlit as st

from dashboard.components.notices import render_not_built

st.title("Documents")
render_not_built(
    what="list converted documents, preview their tables and let you fix headers and download CSVs"
)
