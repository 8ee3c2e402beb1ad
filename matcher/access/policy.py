"""Who may call each endpoint: the ONE access policy. It is the declaration and the
enforcement: ``matcher.web.gate`` reads it on every request, and refuses any endpoint
without a line; tests/test_authorization_matrix.py calls every route as every role.

Adding a route? Add one line here: ``"blueprint.endpoint": <who>``. A route without a
line is refused (403) and fails the build. <who> is ``PUBLIC`` (anyone, signed in or
not), ``SIGNED_IN`` (any signed-in role) or a set of roles. A view may still narrow
access further by data (a coordinator sees only their schools); this file states the
role gate only.
"""

from __future__ import annotations

ROLES = ("admin", "coordinator", "liaison", "partner")
PUBLIC = frozenset({"anonymous", *ROLES})
SIGNED_IN = frozenset(ROLES)
ADMIN = frozenset({"admin"})
PARTNER = frozenset({"partner"})
SCHOOL_STAFF = frozenset({"admin", "coordinator", "liaison"})
# Needs records are education records of the school: its own staff only, not county admins.
SCHOOL_MEMBERS = frozenset({"coordinator", "liaison"})

POLICY: dict[str, frozenset[str]] = {
    # public directory, search and language
    "static": PUBLIC,
    "public.home": PUBLIC,
    "public.favicon": PUBLIC,
    "public.organization": PUBLIC,
    "public.service": PUBLIC,
    "public.set_language": PUBLIC,
    "languages.indigenous": PUBLIC,
    "search.page": PUBLIC,
    "search.api": PUBLIC,
    "partner_api.taxonomy_terms": PUBLIC,
    # HSDS 3.0 API (read-only public data) and the OpenAPI document
    "hsds_api.root": PUBLIC,
    "hsds_api.services": PUBLIC,
    "hsds_api.service": PUBLIC,
    "hsds_api.organizations": PUBLIC,
    "hsds_api.organization": PUBLIC,
    "hsds_api.taxonomies": PUBLIC,
    "hsds_api.taxonomy": PUBLIC,
    "hsds_api.taxonomy_terms": PUBLIC,
    "hsds_api.taxonomy_term": PUBLIC,
    "hsds_api.service_at_locations": PUBLIC,
    "hsds_api.service_at_location": PUBLIC,
    "openapi.document": PUBLIC,
    # operations (load balancer probes)
    "public.healthz": PUBLIC,
    "ops.readyz": PUBLIC,
    # sign-in and account (token links are public; the token is the credential)
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.verify_email": PUBLIC,
    "auth.accept_invitation": PUBLIC,
    "auth.account": SIGNED_IN,
    "auth.resend_verification": SIGNED_IN,
    # partner self-service
    "partner.join": PUBLIC,
    "partner.check_email": PUBLIC,
    "listing_forms.suggest_correction": PUBLIC,
    "listing_forms.still_accurate": PUBLIC,
    "partner.dashboard": PARTNER,
    "partner.register_organization": PARTNER,
    "partner.duplicates": PARTNER,
    "partner.edit_organization_step": PARTNER,
    "partner.new_service": PARTNER,
    "partner.edit_service": PARTNER,
    "partner.remove_service": PARTNER,
    "partner.summary": PARTNER,
    "partner.submit": PARTNER,
    "partner.claim": PARTNER,
    "partner.start_edit": PARTNER,
    # county admin
    "admin.dashboard": ADMIN,
    "admin.users": ADMIN,
    "admin.invite": ADMIN,
    "admin.user_access": ADMIN,
    "admin.audit_log": ADMIN,
    "admin.reviews": ADMIN,
    "admin.review_detail": ADMIN,
    "admin.decide": ADMIN,
    "admin.stale_listings": ADMIN,
    "admin.set_published": ADMIN,
    "curation.index": ADMIN,
    "curation.add_mapping": ADMIN,
    "curation.delete_mapping": ADMIN,
    # matching and reports (school staff)
    "match_api.match": SCHOOL_STAFF,
    "reports.index": SCHOOL_STAFF,
    "reports.school": SCHOOL_STAFF,
    "reports.school_csv": SCHOOL_STAFF,
    "reports.county": ADMIN,
    "reports.county_csv": ADMIN,
    # needs records, referrals and handouts (school members; data checked per school)
    "coordinator.index": SCHOOL_MEMBERS,
    "coordinator.new_record": SCHOOL_MEMBERS,
    "coordinator.edit_record": SCHOOL_MEMBERS,
    "coordinator.record": SCHOOL_MEMBERS,
    "coordinator.matches": SCHOOL_MEMBERS,
    "coordinator.create_referrals": SCHOOL_MEMBERS,
    "coordinator.referral": SCHOOL_MEMBERS,
    "coordinator.update_status": SCHOOL_MEMBERS,
    "coordinator.consent": SCHOOL_MEMBERS,
    "coordinator.revoke_consent": SCHOOL_MEMBERS,
    "coordinator.follow_ups": SCHOOL_MEMBERS,
    "coordinator.handout_page": SCHOOL_MEMBERS,
    "coordinator.sms": SCHOOL_MEMBERS,
    # consented referrals to the partner's own organizations (data checked per org)
    "partner_referrals.index": PARTNER,
    "partner_referrals.detail": PARTNER,
    "partner_referrals.update_status": PARTNER,
}
