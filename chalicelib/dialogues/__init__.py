"""The dialogues API: users, permissions, projects, dialogues with revisions and releases, channels, providers."""
