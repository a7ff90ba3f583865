"""Models of Video production (chapter 5). Every concrete model derives from agency.models.TenantModel."""
