"""imbalance-expert: a corrective-exercise consultant that shows its reasoning.

From what a person reports and what a trainer observes, it infers muscles that are probably
overactive or underactive, explains every conclusion, and stops with a referral when a red flag
is present. An educational and trainer aid, never a diagnosis.
"""

from . import compat  # noqa: F401  (experta 1.9.4 needs it before its first import)

__version__ = "0.1.0"
