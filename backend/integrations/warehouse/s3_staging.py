"""Where a Redshift load stages its files in S3 (plain values: importing it needs no boto3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class S3Staging:
    """Where a Redshift load stages its parts, and how COPY may read them."""

    bucket: str
    prefix: str = "load-staging/"
    region: str = ""
    endpoint_url: str = ""  # an S3-compatible store; empty for AWS itself
    access_key_id: str = field(default="", repr=False)
    secret_access_key: str = field(default="", repr=False)
    iam_role: str = ""  # COPY reads as this role; without one it uses the upload credentials
    part_mb: float = 16  # uncompressed CSV per part: several parts, so every slice has work

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> S3Staging | None:
        """From the settings' mapping; None when no bucket is set (loads INSERT then)."""
        if not values.get("bucket"):
            return None
        prefix = str(values.get("prefix") or "").strip("/")
        return cls(**{**values, "prefix": f"{prefix}/" if prefix else ""})

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.secret_access_key, self.access_key_id) if s)

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"
