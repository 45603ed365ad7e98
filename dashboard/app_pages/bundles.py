import streamlit as st

from dashboard.components.notices import render_not_built

st.title("Bundles")
render_not_built(
    what="group tables into bundles, show the warehouse schema and DDL, and load a bundle"
)
