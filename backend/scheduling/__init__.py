"""What a schedule means: the form's choice, the beat rows it becomes, and its fire times.

Pure functions over celery's own crontab code, shared by the schedule service (which
validates and writes) and the selectors (which preview and draw the calendar), so that
what the dashboard promises is what beat does.
"""
