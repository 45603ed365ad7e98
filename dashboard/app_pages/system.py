import streamlit as st

from backend.selectors import system
from dashboard import data

st.title("System")
st.caption("Live health of the parts the dashboard runs on. Refreshes every 5 seconds.")


def _health(col, label: str, ok: bool, detail: str) -> None:
    with col.container(border=True):
        st.markdown(f"**{label}**")
        if ok:
            st.success("healthy", icon=":material/check_circle:")
        else:
            st.error("not healthy", icon=":material/error:")
        st.caption(detail)


@st.fragment(run_every=5)
def render_health() -> None:
    database = system.system_database()
    broker = data.broker_status()
    workers = data.workers_alive()
    beat = system.system_beat()

    db_col, broker_col, worker_col, beat_col = st.columns(4)
    _health(db_col, "Database", True, f"{database['engine']} · {database['location']}")
    queued = broker["queue_length"]
    broker_detail = broker["url"] if broker["reachable"] else broker["error"]
    if queued is not None:
        broker_detail += f" · {queued} task(s) waiting"
    _health(broker_col, "Broker", broker["reachable"], broker_detail)
    names = ", ".join(w["name"] for w in workers) or "no worker answered a ping"
    _health(worker_col, f"Workers ({len(workers)})", bool(workers), names)
    if beat["beat_at"] is None:
        beat_detail = "beat has never written a heartbeat"
    else:
        beat_detail = f"last heartbeat {beat['age_s']:.0f} s ago on {beat['host']}"
    _health(beat_col, "Beat", beat["alive"], beat_detail)


render_health()
