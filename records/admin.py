"""Admin of Operation records (chapter 9): register models with agency.admin.TenantAdmin."""
