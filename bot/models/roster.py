"""The roster: sites, villages, constituencies, deputies and their mandates,
"3+10" contact links, fixed-voter groups and voters."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

SITE_KINDS = ("station", "point")
LEVELS = ("city", "county", "township")
LINK_LAYERS = ("city_county", "county_township")


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


class Deputy(Base):
    """A person; their mandates say at which levels they serve."""

    __tablename__ = "deputies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    phone: Mapped[str | None]
    openid: Mapped[str | None] = mapped_column(unique=True)
    # Secret part of the deputy's private binding QR scene.
    bind_token: Mapped[str] = mapped_column(unique=True)
    # The site the deputy is stationed at (receives voters there), if any.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    active: Mapped[bool] = mapped_column(default=True)
    subscribed: Mapped[bool] = mapped_column(default=True)

    mandates: Mapped[list[Mandate]] = relationship(back_populates="deputy", order_by="Mandate.id")


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

    deputy: Mapped[Deputy] = relationship()


class Voter(Base):
    """A voter known by WeChat openid, the roster, or both."""

    __tablename__ = "voters"
    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str | None] = mapped_column(unique=True)
    name: Mapped[str | None]
    phone: Mapped[str | None]
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("voter_groups.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    subscribed: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    bound_at: Mapped[datetime | None]

    group: Mapped[VoterGroup | None] = relationship()
    village: Mapped[Village | None] = relationship()
    site: Mapped[Site | None] = relationship()
