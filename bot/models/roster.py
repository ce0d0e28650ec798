"""The roster: sites, villages, constituencies, deputies and their mandates,
"3+10" contact links, fixed-voter groups and voters."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, Index, String, Text, UniqueConstraint, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

SITE_KINDS = ("station", "point")
LEVELS = ("city", "county", "township")
LINK_LAYERS = ("city_county", "county_township")


class Township(Base):
    """The township (乡镇) the station serves; one per installation."""

    __tablename__ = "townships"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]


class Site(Base):
    """The liaison station (联络站) or one of its points (联络点)."""

    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(unique=True)
    kind: Mapped[str]
    name: Mapped[str]
    address: Mapped[str] = mapped_column(default="")
    brand: Mapped[str] = mapped_column(default="")
    reception_day: Mapped[int]


class Constituency(Base):
    """An electoral district (选区) of a deputy's mandate."""

    __tablename__ = "constituencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    level: Mapped[str]


class Village(Base):
    """An administrative village (行政村), served by one site."""

    __tablename__ = "villages"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    constituency_id: Mapped[int | None] = mapped_column(ForeignKey("constituencies.id"))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"))


class NaturalVillage(Base):
    """A natural village (自然村) inside an administrative village."""

    __tablename__ = "natural_villages"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))


class ActivityGroup(Base):
    """A deputies' activity group (代表活动小组)."""

    __tablename__ = "activity_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]


class Deputy(Base):
    """A person; their mandates say at which levels they serve."""

    __tablename__ = "deputies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    # Phones are encrypted at rest; phone_tail is a keyed hash of the last four digits.
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_tail: Mapped[str | None] = mapped_column(index=True)
    openid: Mapped[str | None] = mapped_column(unique=True)
    # The site the deputy is stationed at (receives voters there), if any.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    activity_group_id: Mapped[int | None] = mapped_column(ForeignKey("activity_groups.id"))
    active: Mapped[bool] = mapped_column(default=True)
    subscribed: Mapped[bool] = mapped_column(default=True)

    mandates: Mapped[list[Mandate]] = relationship(back_populates="deputy", order_by="Mandate.id")

    @hybrid_property
    def reachable(self) -> bool:
        """Whether the deputy may get work and pushes: in office (在职), bound to
        a WeChat openid and following us. The one rule; also usable in queries."""
        return bool(self.active and self.openid and self.subscribed)

    @reachable.inplace.expression
    @classmethod
    def _reachable_expression(cls) -> ColumnElement[bool]:
        return and_(cls.active.is_(True), cls.openid.is_not(None), cls.openid != "", cls.subscribed.is_(True))


class Mandate(Base):
    __tablename__ = "mandates"
    __table_args__ = (UniqueConstraint("deputy_id", "level"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"))
    level: Mapped[str]
    constituency_id: Mapped[int | None] = mapped_column(ForeignKey("constituencies.id"))

    deputy: Mapped[Deputy] = relationship(back_populates="mandates")


class ContactLink(Base):
    """One "3+10" link: a city deputy contacts a county deputy, or a county
    deputy contacts a township deputy. Also the escalation path."""

    __tablename__ = "contact_links"
    __table_args__ = (UniqueConstraint("from_deputy_id", "to_deputy_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    layer: Mapped[str]
    from_deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"))
    to_deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"))


class VoterGroup(Base):
    """A deputy's fixed-voter group (联系固定选民微信群), target 10 voters."""

    __tablename__ = "voter_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    # A revoked group's QR code no longer binds anyone; its members stay.
    active: Mapped[bool] = mapped_column(default=True)
    revoked_at: Mapped[datetime | None]

    deputy: Mapped[Deputy] = relationship()


class Voter(Base):
    """A voter known by WeChat openid, the roster, or both."""

    __tablename__ = "voters"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The roster's stable key for imported voters; None for WeChat-only voters.
    code: Mapped[str | None] = mapped_column(unique=True)
    openid: Mapped[str | None] = mapped_column(unique=True)
    name: Mapped[str | None] = mapped_column(index=True)
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_tail: Mapped[str | None]
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    natural_village_id: Mapped[int | None] = mapped_column(ForeignKey("natural_villages.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("voter_groups.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    subscribed: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    bound_at: Mapped[datetime | None]

    group: Mapped[VoterGroup | None] = relationship()
    village: Mapped[Village | None] = relationship()
    site: Mapped[Site | None] = relationship()

    @property
    def home_site_id(self) -> int | None:
        """The site this voter belongs to: their group's, else their own, else their village's."""
        if self.group is not None and self.group.site_id:
            return self.group.site_id
        if self.site_id:
            return self.site_id
        return self.village.site_id if self.village is not None else None


class QrCode(Base):
    """WeChat's permanent QR ticket for a scene, fetched once and kept."""

    __tablename__ = "qr_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    scene: Mapped[str] = mapped_column(String(64), unique=True)
    ticket: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


QR_KINDS = ("site", "group", "deputy")
BINDING_STATUSES = ("pending", "confirmed", "rejected", "superseded", "revoked")


class IssuedQr(Base):
    """A QR code staff issued: a site's or group's public poster (a random scene
    key, printed again from here), or a deputy's private card (only the SHA-256
    of its token is kept; the token is shown once, when the card is printed).
    A scene binds only while its row is live; a card binds once."""

    __tablename__ = "issued_qr_codes"
    __table_args__ = (Index("ix_issued_qr_codes_kind_target", "kind", "target_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]  # sites.id, voter_groups.id or deputies.id, by kind
    scene_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class DeputyBinding(Base):
    """A WeChat account asking, by scanning a deputy's card, to act as that
    deputy; staff confirm or reject it. Confirmed rows are the binding history."""

    __tablename__ = "deputy_bindings"
    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"), index=True)
    openid: Mapped[str] = mapped_column(String(64))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("issued_qr_codes.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))

    deputy: Mapped[Deputy] = relationship()
