"""A small questionnaire with one item of every type, for the schema and rendering tests
(independent of the shipped files, which have their own test)."""

from __future__ import annotations

import copy

SCALE = {
    "points": 5,
    "labels": ["很不满意", "不满意", "一般", "满意", "很满意"],
    "dont_know": "不了解",
}

DEFINITION = {
    "slug": "sample",
    "version": 1,
    "group": "public",
    "title": "测试问卷",
    "intro": "感谢您参与评价。\n请如实作答。",
    "closing": "感谢您的支持！",
    "scale": SCALE,
    "items": [
        {
            "id": "E1",
            "type": "rating",
            "text": "该单位聚焦主责主业的情况",
            "dimension": "effectiveness",
            "aspect": "focus",
        },
        {
            "id": "C1",
            "type": "rating",
            "text": "该单位配合有关机关开展工作的情况",
            "dimension": "cooperation",
            "aspect": "coordination",
            "required": False,
            "scale": {"points": 3, "labels": ["差", "中", "好"], "dont_know": "说不清"},
        },
        {
            "id": "contact",
            "type": "single",
            "text": "您与该单位打交道的主要方式是？",
            "options": [
                {"code": "window", "label": "窗口办事"},
                {"code": "online", "label": "网上办事"},
            ],
        },
        {
            "id": "problems",
            "type": "multiple",
            "text": "最需要改进的方面？",
            "help": "最多选两项",
            "max_choices": 2,
            "options": [
                {"code": "speed", "label": "办事效率"},
                {"code": "attitude", "label": "服务态度"},
                {"code": "openness", "label": "政务公开"},
            ],
        },
        {
            "id": "comment",
            "type": "text",
            "text": "您对该单位还有哪些意见和建议？",
            "max_length": 20,
        },
    ],
}


def definition() -> dict:
    """A fresh deep copy of DEFINITION, free to change."""
    return copy.deepcopy(DEFINITION)
