"""The web layer: thin blueprints that call the domain modules."""
