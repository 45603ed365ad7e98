import streamlit as st

from dashboard.components.notices import render_not_built

st.title("Warehouse")
render_not_built(
    what="show the tables in the warehouse with their row counts and the run that last loaded each"
)
