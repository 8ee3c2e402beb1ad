"""Shared building blocks with no Flask: text folding, idempotent upserts, the audit trail, mail."""
