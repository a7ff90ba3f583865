"""Admin of Extension services (chapter 8): register models with agency.admin.TenantAdmin."""
