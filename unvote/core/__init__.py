"""The foundation every layer stands on: errors and exit codes, settings, result tables."""
