"""The WeChat adapter: the only package that imports wechatpy."""
from .client import ApiError, SandboxNotifier, SandboxOAuth, WeChatApi, WeChatNotifier, authorize_url
from .crypto import Gate, Opened, WebhookError, render_text_reply, sign

__all__ = ["ApiError", "SandboxNotifier", "SandboxOAuth", "WeChatApi", "WeChatNotifier", "authorize_url", "Gate",
           "Opened", "WebhookError", "render_text_reply", "sign"]
