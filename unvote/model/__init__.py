"""The vocabulary of the votes: countries and who held a seat, groups, symbols, sessions, dates, topics, sides."""
