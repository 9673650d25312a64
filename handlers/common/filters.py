from __future__ import annotations

from aiogram import F

GROUP_TYPES = {"group", "supergroup"}

GROUP = F.chat.type.in_(GROUP_TYPES)
PRIVATE = F.chat.type == "private"
GROUP_CALLBACK = F.message.chat.type.in_(GROUP_TYPES)
PRIVATE_CALLBACK = F.message.chat.type == "private"
