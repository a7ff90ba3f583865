"""Forms of chapter 10's pages, one module per topic (``campaigns``, ``questionnaires``,
``complaints``, ``improvement``). Model-shaped forms derive from TenantModelForm (every choice is
the actor's); the views hand their cleaned data to the services, which decide."""
