"""The only writers of the store: fetch orchestration, merge by record id, the merged history."""
