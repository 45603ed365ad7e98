import streamlit as st

from dashboard.components.notices import render_not_built

st.title("History")
render_not_built(what="list every run with filters and charts, and let you retry or cancel a run")
