"""The WeChat adapter: the only package that imports wechatpy."""
from .client import ApiError, SandboxNotifier, WeChatApi, WeChatNotifier
from .crypto import Gate, Opened, WebhookError, render_text_reply, sign

__all__ = ["ApiError", "SandboxNotifier", "WeChatApi", "WeChatNotifier", "Gate", "Opened",
           "WebhookError", "render_text_reply", "sign"]
