"""Admin of Video production (chapter 5): register models with agency.admin.TenantAdmin."""
