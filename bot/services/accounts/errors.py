"""What the accounts services refuse with, and the words staff read."""
from __future__ import annotations

# Chinese names of the roles, for messages and the console.
ROLE_NAMES = {"admin": "管理员", "staff": "工作人员", "county": "县人大", "deputy": "代表"}


class _Refusal:
    """Carries a Chinese `.message` for staff; str(exc) is that message."""

    default = ""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default
        super().__init__(self.message)  # type: ignore[call-arg]

    def __str__(self) -> str:
        return self.message


class AccountError(_Refusal, ValueError):
    """An account cannot be created or changed this way."""

    default = "账号操作没有完成"


class LoginRefused(_Refusal, Exception):
    """Wrong user name or password, a disabled account, or a locked one."""

    default = "用户名或密码不对"


class NotFound(_Refusal, LookupError):
    """Nothing there, or nothing this user may see: the two look the same."""

    default = "没有找到"


class Forbidden(_Refusal, PermissionError):
    """The user's role does not allow this."""

    default = "没有权限做这件事"
