"""The one account store: identity (email, names, avatar, password hash, admin flag) for every surface."""
