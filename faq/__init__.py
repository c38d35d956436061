"""FAQ content, normalisation, matching, editing and review. Framework-free."""
