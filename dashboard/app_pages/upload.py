import streamlit as st

from dashboard.components.notices import render_not_built

st.title("Upload")
render_not_built(what="take PDFs, convert their tables to CSV in the background and show a progress bar per file")
