"""A family's needs record, its referrals and the printed handout (no Flask)."""
