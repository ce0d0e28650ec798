"""SQLAlchemy models. Imports nothing from the rest of the app."""
from .accounts import ROLES, AuditEvent, Role, User
from .base import Base, utcnow
from .broadcast import (
                        BROADCAST_STATUSES,
                        DELIVERY_STATUSES,
                        TARGET_KINDS,
                        Broadcast,
                        BroadcastDelivery,
                        BroadcastStatus,
                        DeliveryStatus,
)
from .duty import DUTY_KINDS, DUTY_SOURCES, ITEM_KINDS, OTHER_KINDS, DutyActivity
from .evaluation import CHOICES, GRADES, POLL_STATUSES, DutyEvaluation, DutyPoll, PollBallot, PollPending, PollReceipt
from .inbound import InboundMessage
from .outbox import PUSH_STATUSES, ContactWindow, OutboundPush, PushStatus
from .reception import HOLIDAY_POLICIES, HolidayDay, Reception, ReceptionBooking, ReceptionDuty, ReceptionRule
from .roster import (
                        BINDING_STATUSES,
                        LEVELS,
                        LINK_LAYERS,
                        QR_KINDS,
                        SITE_KINDS,
                        ActivityGroup,
                        Constituency,
                        ContactLink,
                        Deputy,
                        DeputyBinding,
                        IssuedQr,
                        Mandate,
                        NaturalVillage,
                        QrCode,
                        Site,
                        Township,
                        Village,
                        Voter,
                        VoterGroup,
)
from .tickets import (
                        OPEN_STATUSES,
                        TICKET_STATUSES,
                        LabelledExample,
                        Ticket,
                        TicketCounter,
                        TicketEvent,
                        TicketStatus,
                        TicketTerm,
)

__all__ = [
    "Base", "utcnow", "InboundMessage", "ContactWindow", "OutboundPush", "PUSH_STATUSES", "PushStatus", "LEVELS",
    "LINK_LAYERS", "SITE_KINDS", "QR_KINDS", "BINDING_STATUSES", "IssuedQr", "DeputyBinding", "ActivityGroup", "NaturalVillage", "QrCode", "Township", "Constituency",
    "ContactLink", "Deputy", "Mandate", "Site", "Village", "Voter", "VoterGroup", "OPEN_STATUSES",
    "TICKET_STATUSES", "TicketStatus", "LabelledExample", "Ticket", "TicketCounter", "TicketEvent", "TicketTerm",
    "BROADCAST_STATUSES", "BroadcastStatus", "DELIVERY_STATUSES", "DeliveryStatus", "TARGET_KINDS", "Broadcast",
    "BroadcastDelivery", "HOLIDAY_POLICIES", "HolidayDay",
    "DUTY_KINDS", "DUTY_SOURCES", "ITEM_KINDS", "OTHER_KINDS", "DutyActivity",
    "CHOICES", "GRADES", "POLL_STATUSES", "DutyEvaluation", "DutyPoll", "PollBallot", "PollPending", "PollReceipt",
    "Reception", "ReceptionBooking", "ReceptionDuty", "ReceptionRule", "ROLES", "Role", "User", "AuditEvent",
]
