"""All ORM models; importing this module registers every table on ``Base.metadata``."""

from matcher.models.base import Base
from matcher.models.directory import *  # noqa: F403
from matcher.models.directory import __all__ as _directory_all
from matcher.models.schools import District, School
from matcher.models.taxonomy import Barrier, BarrierTerm, Taxonomy, TaxonomyTerm

__all__ = [
    "Barrier",
    "BarrierTerm",
    "Base",
    "District",
    "School",
    "Taxonomy",
    "TaxonomyTerm",
    *_directory_all,
]
