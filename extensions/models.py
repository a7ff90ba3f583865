"""Models of Extension services (chapter 8). Every concrete model derives from agency.models.TenantModel."""
