from . import kam_sales_candidate, res_company, res_config_settings, res_partner
