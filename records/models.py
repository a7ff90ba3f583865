"""Models of Operation records (chapter 9). Every concrete model derives from agency.models.TenantModel."""
