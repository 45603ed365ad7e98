"""The one error the schedule form shows."""

from backend.errors import UserFixable


class ScheduleInvalid(UserFixable):
    """The form's choice cannot be scheduled; the message says why, for the form."""
