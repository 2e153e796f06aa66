from . import kam_tier
from . import kam_classification
from . import kam_account_figure
from . import kam_contact_note
from . import res_partner
from . import crm_lead
