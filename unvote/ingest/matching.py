"""The rules that say two sources' roll calls are the same vote (the merged history, and the
packaged Voeten topic codes matched to UNDL records, both use them)."""

DATE_WINDOW = 31  # days
SAME_VOTES = 0.98  # share of identical votes that makes a roll call pair the same vote
OVERLAP = 0.90  # share of each side's listed countries that both must list
