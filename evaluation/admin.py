"""Admin of Evaluation and improvement (chapter 10): register models with agency.admin.TenantAdmin."""
