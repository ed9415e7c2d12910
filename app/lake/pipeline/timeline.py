"""The story's calendar: the period the lake covers, and the day a product was renamed.

The generator draws its events inside the period, the build lands raw up to
its last day, and refining and ``lake check`` know both names of the product.
"""

from __future__ import annotations

from datetime import date

PERIOD_START = date(2023, 12, 1)
PERIOD_END = date(2024, 5, 31)  # the last load date in raw
PENDING_DAY = date(2024, 6, 1)  # delivered to transient, not landed yet
RENAME_DAY = date(2024, 3, 1)  # Highlight is sold as Spotlight from this day
OLD_NAME, NEW_NAME = "Highlight", "Spotlight"
