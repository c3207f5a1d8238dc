"""Secret stores per cloud, the identities allowed to read them, and their delivery to pods."""
