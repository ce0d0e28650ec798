"""The classifier's categories (level-1 of the label tree); OTHER takes anything else."""
from __future__ import annotations

OTHER = "其他"
CATEGORIES: tuple[str, ...] = (
    "城乡建设",
    "环境保护",
    "交通运输",
    "教育文体",
    "劳动和社会保障",
    "卫生计生",
    "商贸旅游",
    "民政",
    "农村农业",
    "国土资源",
    "政法",
    "纪检监察",
    "党务政务",
    "经济管理",
    "科技与信息产业",
    OTHER,
)
