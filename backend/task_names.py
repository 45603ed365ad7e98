"""Task names shared by services (which send), schedules (which fire) and tasks."""

CONVERT_PDF = "convert_pdf"
CONVERT_PDF_PART = "convert_pdf_part"
FINISH_CONVERSION = "finish_conversion"
CONVERSION_PARTS_FAILED = "conversion_parts_failed"
LOAD_TO_REDSHIFT = "load_to_redshift"
SWEEP_LOAD_STAGING = "sweep_load_staging"
PING = "system.ping"
