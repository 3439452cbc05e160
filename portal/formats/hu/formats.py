"""Dates as a Hungarian university writes them (the Hungarian spelling rules, AkH. 12. 295.):
"2026. 11. 10.", "2026. november 10.", "2026. 11. 10. 14:05". Django's own Hungarian formats
write "2026.11.10." without the spaces."""

DATE_FORMAT = "Y. F j."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y. F j. H:i"
YEAR_MONTH_FORMAT = "Y. F"
MONTH_DAY_FORMAT = "F j."
SHORT_DATE_FORMAT = "Y. m. d."
SHORT_DATETIME_FORMAT = "Y. m. d. H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
# The first is what date fields show (the admin's calendar too); the others are also read.
DATE_INPUT_FORMATS = ["%Y. %m. %d.", "%Y.%m.%d.", "%Y. %m. %d", "%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M"]
DATETIME_INPUT_FORMATS = [
    "%Y. %m. %d. %H:%M:%S",
    "%Y. %m. %d. %H:%M",
    "%Y.%m.%d. %H:%M:%S",
    "%Y.%m.%d. %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a non-breaking space
NUMBER_GROUPING = 3
