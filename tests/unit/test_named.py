"""The one "who" rule (services/team/users.named): a tapped mention, else a leading
@username, else the person replied to."""

from __future__ import annotations

from models.tables import User
from services.team import users


async def test_mention_then_username_then_reply(session):
    session.add(User(id=11, username="Anna", full_name="Анна", started=True, blocked=False))
    await session.commit()
    assert await users.named(session, "@anna ctr 2", reply_user_id=12) == users.Named(
        11, "@anna", "ctr 2"
    )
    assert (await users.named(session, "@nobody x")).user_id == 0
    assert await users.named(session, " ctr 2", mentioned_user_id=13, reply_user_id=12) == (
        users.Named(13, None, "ctr 2")
    )
    assert (await users.named(session, "ctr 2", reply_user_id=12)).user_id == 12
    assert (await users.named(session, "ctr 2")).user_id is None
