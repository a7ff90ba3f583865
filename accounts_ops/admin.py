"""Admin of Account operations (chapters 6-7): register models with agency.admin.TenantAdmin."""
