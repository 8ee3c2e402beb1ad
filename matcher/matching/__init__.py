"""Barrier matching: the in-memory directory table, the rules and the score, the bundle,
and the match itself."""
