"""Customer and firm behaviour: rules, the population, the firm, the recovery desk."""
