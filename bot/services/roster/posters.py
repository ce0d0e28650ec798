"""Printable A4 QR posters (Pillow + segno), Chinese set in the bundled font
subset so they render on a machine without CJK fonts."""
from __future__ import annotations

import io
from importlib.resources import files
from pathlib import Path

from .. import texts
from .qr import Poster

# Package data, found through the package so an installed wheel has it too.
FONT = Path(str(files("bot") / "assets" / "fonts" / "WenQuanYiMicroHei-CJK.ttf"))
DPI = 150
A4 = (1240, 1754)  # 210 × 297 mm at 150 dpi
RED = (178, 34, 34)
INK = (33, 33, 33)


def _font(size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT), size)


def _centered(draw, y: int, text: str, size: int, fill=INK) -> int:
    font = _font(size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((A4[0] - (right - left)) // 2, y), text, font=font, fill=fill)
    return y + (bottom - top) + size // 2


def _qr_image(content: str, box: int):
    import segno
    from PIL import Image

    buf = io.BytesIO()
    segno.make(content, error="m").save(buf, kind="png", scale=10, border=2)
    buf.seek(0)
    return Image.open(buf).convert("RGB").resize((box, box), Image.NEAREST)


def render(poster: Poster, content: str, sandbox: bool):
    from PIL import Image, ImageDraw

    img = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, A4[0], 60), fill=RED)
    site = poster.site
    how = texts.POSTER_HOW
    if poster.deputy is not None:
        y = _centered(draw, 120, texts.POSTER_DEPUTY_TITLE.format(deputy=poster.deputy.name), 64, RED)
        y = _centered(draw, y, texts.POSTER_DEPUTY_PRIVATE, 44)
        how = texts.POSTER_DEPUTY_HOW
    elif poster.group is not None:
        y = _centered(draw, 120, poster.group.name, 64, RED)
        y = _centered(draw, y, texts.POSTER_GROUP_SUBTITLE.format(deputy=poster.group.deputy.name), 44)
        if site is not None:
            y = _centered(draw, y, site.name, 40)
    else:
        assert site is not None
        y = _centered(draw, 120, site.name, 84, RED)
        if site.brand:
            y = _centered(draw, y, f"“{site.brand}”", 52)
    if site is not None:
        y = _centered(draw, y + 10, texts.POSTER_RECEPTION.format(day=site.reception_day), 48)
    if site is not None and site.address and poster.deputy is None:
        y = _centered(draw, y, texts.POSTER_ADDRESS.format(address=site.address), 34)
    size = 720
    img.paste(_qr_image(content, size), ((A4[0] - size) // 2, y + 20))
    y += 20 + size + 30
    if sandbox:
        y = _centered(draw, y, texts.POSTER_SANDBOX, 30, RED)
    font = _font(38)
    for line in how:
        draw.text((150, y), line, font=font, fill=INK)
        y += 62
    draw.rectangle((0, A4[1] - 110, A4[0], A4[1]), fill=RED)
    _centered(draw, A4[1] - 90, texts.POSTER_FOOTER, 40, "white")
    return img


def save(img, path: Path) -> None:
    path.write_bytes(encode(img, path.suffix.lower().lstrip(".")))


def encode(img, fmt: str) -> bytes:
    """The poster as a PDF ("pdf") or PNG file's bytes."""
    buf = io.BytesIO()
    if fmt == "pdf":
        img.save(buf, "PDF", resolution=DPI)
    else:
        img.save(buf, "PNG", dpi=(DPI, DPI), optimize=True)
    return buf.getvalue()
