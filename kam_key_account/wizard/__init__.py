from . import kam_approval_wizard
