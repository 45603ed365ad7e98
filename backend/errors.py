"""The one base for refusals a person can act on.

Every service error whose message tells the user what to change derives from `UserFixable`,
so a page catches that one class and shows the message where the user is looking. Other
exceptions are faults of the product or its infrastructure, and are reported as such.
"""

from __future__ import annotations


class UserFixable(Exception):
    """The request cannot be done as asked; str(exc) says what to change, in product words."""
