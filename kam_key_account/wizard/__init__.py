from . import kam_approval_wizard
from . import kam_suggestion_summary_wizard
