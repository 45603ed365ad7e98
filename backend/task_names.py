"""Task names shared by services (which send), schedules (which fire) and tasks, and the
ids of the tasks that work for one Run."""

import re

CONVERT_PDF = "convert_pdf"
CONVERT_PDF_PART = "convert_pdf_part"
FINISH_CONVERSION = "finish_conversion"
CONVERSION_PARTS_FAILED = "conversion_parts_failed"
LOAD_TO_REDSHIFT = "load_to_redshift"
SWEEP_LOAD_STAGING = "sweep_load_staging"
PING = "system.ping"
RECONCILE_RUNS = "reconcile_runs"
CLEAR_EXPIRED_SESSIONS = "clear_expired_sessions"
REEXTRACT_TABLE = "reextract_table"
PROFILE_TABLE = "profile_table"


# A long conversion's tasks carry ids made from its Run's task id, so a cancel can revoke
# them by name, the reconciler can tell they work for the run, and History can list them.
def part_task_id(run_task_id: str, n: int) -> str:
    """The n-th part (from 1) of a long conversion."""
    return f"{part_id_prefix(run_task_id)}{n}"


def part_id_prefix(run_task_id: str) -> str:
    return f"{run_task_id}-part-"


def finish_task_id(run_task_id: str) -> str:
    """The step that joins a long conversion's parts."""
    return f"{run_task_id}-finish"


def part_named_in(text: str, run_task_id: str) -> int | None:
    """The number of the run's part a task id or an error text names ("... <id>-part-3
    raised ..."), or None."""
    found = re.search(rf"{re.escape(part_id_prefix(run_task_id))}(\d+)", text)
    return int(found.group(1)) if found else None


def works_for_run(task_id: str, run_task_id: str) -> bool:
    """Whether the task is the run's own or one of its parts or steps."""
    return task_id == run_task_id or task_id.startswith(f"{run_task_id}-")
