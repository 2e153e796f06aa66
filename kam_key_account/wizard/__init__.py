from . import kam_approval_wizard, kam_suggestion_summary_wizard
