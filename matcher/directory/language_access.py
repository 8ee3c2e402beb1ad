"""Which partners serve families in Indigenous languages (Mixteco, Zapoteco, Purépecha...).

Liaisons asked for one place that answers "who can talk with this family?": the
public page lists, for each Indigenous language, the active services of published
organizations that offer it, with staff who speak it or through an interpreter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.directory import languages
from matcher.models import Language, LocalizedText, Organization, Service


@dataclass(frozen=True)
class LanguageOffer:
    """One service offering one language."""

    service_id: str
    service_name: LocalizedText
    organization_id: str
    organization_name: str
    interpreter: bool


@dataclass
class LanguageAccess:
    """Everyone offering one Indigenous language; direct offers first."""

    code: str
    name: str
    offers: list[LanguageOffer] = field(default_factory=list)

    @property
    def organization_count(self) -> int:
        return len({offer.organization_id for offer in self.offers})


def indigenous_language_access(
    session: Session, locale: str, code: str | None = None
) -> list[LanguageAccess]:
    """Indigenous languages offered by active, published services, most offered first.

    ``code`` narrows to one language (an unknown or non-Indigenous code gives []).
    """
    codes = languages.INDIGENOUS if code is None else languages.INDIGENOUS & {code}
    rows = session.execute(
        select(Language.code, Language.interpreter, Service)
        .join(Service, Service.id == Language.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(
            Language.code.in_(sorted(codes)),
            Service.status == "active",
            Organization.published.is_(True),
        )
        .options(selectinload(Service.organization), selectinload(Service.translations))
    ).all()
    found: dict[str, LanguageAccess] = {}
    for lang_code, interpreter, service in rows:
        access = found.setdefault(
            lang_code, LanguageAccess(lang_code, languages.name(lang_code, locale))
        )
        org = service.organization
        access.offers.append(
            LanguageOffer(
                service_id=service.id,
                service_name=service.text("name", locale),
                organization_id=org.id,
                organization_name=org.text("name", locale).value or org.name,
                interpreter=bool(interpreter),
            )
        )
    for access in found.values():
        access.offers.sort(key=lambda o: (o.interpreter, o.organization_name, o.service_name.value))
    return sorted(found.values(), key=lambda a: (-len(a.offers), a.name))
