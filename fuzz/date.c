/* The date parser: never a crash, and every date it accepts writes back
 * (date_iso) as a date that parses to the same day in ISO form. */
#include "fuzz.h"

#include "date.h"
#include "datetime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	enum date_format all[DATE_NFORMATS];
	int32_t days, again;
	char iso[16];

	for (int f = 0; f < DATE_NFORMATS; f++) {
		all[f] = (enum date_format)f;
		if (date_parse(s, size, (enum date_format)f, &days) != 0)
			continue;
		int y, m, d;
		civil_from_days(days, &y, &m, &d);
		if (!date_valid(y, m, d) || days_from_civil(y, m, d) != days)
			abort();
		date_iso(days, iso);
		if (date_parse(iso, strlen(iso), DATE_ISO, &again) != 0 || again != days) {
			fprintf(stderr, "'%.*s' (%s) gives %s, which reads back as another day\n",
				(int)size, s, date_format_name((enum date_format)f), iso);
			abort();
		}
		int wd = date_weekday(days);
		if (wd < 1 || wd > 7)
			abort();
	}
	date_parse_any(s, size, all, DATE_NFORMATS, &days);

	/* A date-time it accepts writes back as ISO text that reads as the
	 * same day and second. */
	struct datetime dt, back;
	static const enum date_format iso_only[] = { DATE_ISO };
	char text[24];
	if (datetime_parse(s, size, all, DATE_NFORMATS, 1950, &dt) >= 0) {
		size_t n = datetime_iso(&dt, text);
		if (datetime_parse(text, n, iso_only, 1, 0, &back) != 0 || back.days != dt.days ||
		    back.secs != dt.secs || back.has_time != dt.has_time || dt.secs < 0 || dt.secs >= 86400) {
			fprintf(stderr, "'%.*s' gives %.*s, which reads back otherwise\n", (int)size, s, (int)n, text);
			abort();
		}
	}
	return 0;
}
