from dataclasses import asdict

import streamlit as st

from backend.selectors import system
from backend.selectors.runs import FailedRun
from dashboard import data, state
from dashboard.session import current_user

st.title("System")
st.caption("Live health of the parts the dashboard runs on. Refreshes every 5 seconds.")
st.caption(f"Warehouse: `{system.system_warehouse()}`")


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
    _health(db_col, "Database", True, f"{database.engine} · {database.location}")
    queued = broker.queue_length
    broker_detail = broker.url if broker.reachable else broker.error
    if queued is not None:
        broker_detail += f" · {queued} task(s) waiting"
    _health(broker_col, "Broker", broker.reachable, broker_detail)
    names = ", ".join(workers) or "no worker answered a ping"
    _health(worker_col, f"Workers ({len(workers)})", bool(workers), names)
    if beat.beat_at is None:
        beat_detail = "beat has never written a heartbeat"
    else:
        beat_detail = f"last heartbeat {beat.age_s:.0f} s ago on {beat.host}"
    _health(beat_col, "Beat", beat.alive, beat_detail)
    waiting = system.system_runs_waiting()
    if not broker.reachable and waiting.queued:
        st.error(
            f"The broker does not answer: {waiting.queued} queued run(s) wait for it. "
            "Uploads are kept and sent when it is back.",
            icon=":material/cloud_off:",
        )
    elif waiting.unsent:
        st.warning(
            f"{waiting.unsent} run(s) wait to be sent to the queue (the broker did not "
            "answer when they were queued); they are sent within a minute.",
            icon=":material/schedule_send:",
        )


render_health()


@st.fragment(run_every=5)
def render_workers() -> None:
    workers = data.worker_tasks()
    st.subheader("Workers and queues")
    if not workers:
        st.caption("No worker answered; tasks wait in the queue until one starts.")
    for worker in workers:
        with st.container(border=True):
            busy = f"{len(worker.active)} of {worker.concurrency or '?'} busy"
            st.markdown(f"**{worker.name}** · {busy} · queues: {', '.join(worker.queues)}")
            tasks = [{"state": "active", **asdict(t)} for t in worker.active]
            tasks += [{"state": "reserved", **asdict(t)} for t in worker.reserved]
            if tasks:
                st.dataframe(tasks, hide_index=True, column_order=["state", "name", "id"])
            else:
                st.caption("idle")
    queues = sorted({q for w in workers for q in w.queues})
    lengths = data.queue_lengths(tuple(queues))
    st.dataframe(
        [{"queue": q, "waiting": n if n is not None else "unknown"} for q, n in lengths.items()],
        hide_index=True,
    )


def render_failures() -> None:
    st.subheader("Runs the system failed")
    st.caption("Crashes, time limits, a warehouse that did not answer: problems to fix here.")
    _failure_cards(
        data.recent_failures(current_user().pk, limit=10, system=True),
        "No run failed for the system.",
    )
    st.subheader("Runs that failed on their input")
    st.caption(
        "Not system problems: the message says what to change (file, password, bundle); "
        "retry from History."
    )
    with st.expander("Show them"):
        _failure_cards(data.recent_failures(current_user().pk, limit=10, system=False), "None.")


def _failure_cards(failures: list[FailedRun], none: str) -> None:
    if not failures:
        st.caption(none)
    for failed in failures:
        run = failed.run
        with st.container(border=True):
            # A page link, not a markdown link: it opens History in this tab.
            st.page_link(
                state.history_page(),
                label=f"Run {run.id}",
                query_params={"run": str(run.id)},
                icon=":material/history:",
            )
            st.markdown(f"{run.kind} of **{run.subject}** · {run.queued_at:%Y-%m-%d %H:%M} UTC")
            st.error(failed.error or "failed without a message", icon=":material/error:")


render_workers()
render_failures()
