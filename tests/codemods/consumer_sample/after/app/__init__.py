"""Consumer application package."""
