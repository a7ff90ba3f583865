"""Models of Account operations (chapters 6-7). Every concrete model derives from agency.models.TenantModel."""
