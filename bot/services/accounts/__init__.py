"""Staff console accounts: users and passwords (users), the audit log (audit),
and who may see and do what (access)."""
from ...models.accounts import ROLES
from .errors import AccountError, Forbidden, LoginRefused, NotFound

__all__ = ["ROLES", "AccountError", "Forbidden", "LoginRefused", "NotFound"]
