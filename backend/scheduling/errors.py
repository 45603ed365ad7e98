"""The one error the schedule form shows."""


class ScheduleInvalid(ValueError):
    """The form's choice cannot be scheduled; the message says why, for the form."""
