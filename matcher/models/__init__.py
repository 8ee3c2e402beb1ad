"""All ORM models; importing this module registers every table on ``Base.metadata``."""

from matcher.models.accounts import *  # noqa: F403
from matcher.models.accounts import __all__ as _accounts_all
from matcher.models.audit import AuditEvent
from matcher.models.base import Base
from matcher.models.directory import *  # noqa: F403
from matcher.models.directory import __all__ as _directory_all
from matcher.models.exchange import *  # noqa: F403
from matcher.models.exchange import __all__ as _exchange_all
from matcher.models.needs import *  # noqa: F403
from matcher.models.needs import __all__ as _needs_all
from matcher.models.ops import IndexChange
from matcher.models.reports import SearchLog
from matcher.models.review import *  # noqa: F403
from matcher.models.review import __all__ as _review_all
from matcher.models.schools import District, School
from matcher.models.taxonomy import Barrier, BarrierTerm, Taxonomy, TaxonomyTerm
from matcher.models.vocabulary import QueryTerm, StaffMapping

__all__ = [
    "Barrier",
    "BarrierTerm",
    "Base",
    "District",
    "IndexChange",
    "QueryTerm",
    "School",
    "SearchLog",
    "StaffMapping",
    "Taxonomy",
    "TaxonomyTerm",
    *_directory_all,
    *_exchange_all,
    "AuditEvent",
    *_accounts_all,
    *_review_all,
    *_needs_all,
]
