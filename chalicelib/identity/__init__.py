"""Identity for every surface: accounts, passwords, tokens, sign-in guard and email verification."""
