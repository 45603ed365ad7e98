"""Task names shared by services (which send), schedules (which fire) and tasks."""

CONVERT_PDF = "convert_pdf"
LOAD_TO_REDSHIFT = "load_to_redshift"
PING = "system.ping"
