"""When each team's scheduled work is due: the stored due moments."""
