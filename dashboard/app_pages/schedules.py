import streamlit as st

from dashboard.components.notices import render_not_built

st.title("Schedules")
render_not_built(what="schedule bundle loads and show upcoming and past runs on a calendar")
