"""Models of Evaluation and improvement (chapter 10). Every concrete model derives from agency.models.TenantModel."""
