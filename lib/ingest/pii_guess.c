#include <string.h>

#include "colname.h"
#include "pii_guess.h"
#include "trim.h"

/* Words of a folded column name (colname_fold: lower case, no spaces or
 * punctuation) that make it personal.  Matched as parts of the name, so
 * "applicantname" and "фиозаявителя" are found; each is long enough not to
 * hide inside an ordinary word. */
static const struct {
	const char *word;
	enum pii_kind kind;
} header_words[] = {
	{ "фио", PII_KIND_NAME }, { "fio", PII_KIND_NAME }, { "фамилия", PII_KIND_NAME },
	{ "имя", PII_KIND_NAME }, { "отчество", PII_KIND_NAME }, { "заявитель", PII_KIND_NAME },
	{ "familiya", PII_KIND_NAME }, { "ismi", PII_KIND_NAME }, { "sharif", PII_KIND_NAME },
	{ "murojaatchi", PII_KIND_NAME }, { "arizaberuvchi", PII_KIND_NAME },
	{ "fullname", PII_KIND_NAME }, { "firstname", PII_KIND_NAME }, { "lastname", PII_KIND_NAME },
	{ "surname", PII_KIND_NAME }, { "applicant", PII_KIND_NAME }, { "name", PII_KIND_NAME },
	{ "телефон", PII_KIND_PHONE }, { "тел", PII_KIND_PHONE }, { "telefon", PII_KIND_PHONE },
	{ "phone", PII_KIND_PHONE }, { "mobile", PII_KIND_PHONE }, { "tel", PII_KIND_PHONE },
	{ "паспорт", PII_KIND_ID }, { "pasport", PII_KIND_ID }, { "passport", PII_KIND_ID },
	{ "пинфл", PII_KIND_ID }, { "pinfl", PII_KIND_ID }, { "jshshir", PII_KIND_ID },
	{ "инн", PII_KIND_ID }, { "inn", PII_KIND_ID }, { "stir", PII_KIND_ID },
	{ "адрес", PII_KIND_ADDRESS }, { "address", PII_KIND_ADDRESS }, { "manzil", PII_KIND_ADDRESS },
	{ "датарождения", PII_KIND_BIRTH }, { "birth", PII_KIND_BIRTH }, { "tugilgan", PII_KIND_BIRTH },
};

/* Words of four letters or fewer count only at the start of a name ("tel",
 * "inn", "имя", "name"): later in one they are letters of something else
 * (hotel, portfolio) or name a thing, not a person (district name). */
static int short_word(const char *w)
{
	size_t letters = 0;

	for (; *w; w++)
		letters += ((unsigned char)*w & 0xC0) != 0x80;
	return letters <= 4;
}

enum pii_kind pii_guess_header(const char *name)
{
	struct sbuf fold = SBUF_INIT;
	enum pii_kind k = PII_KIND_NONE;

	colname_fold(&fold, name, strlen(name));
	for (size_t i = 0; fold.len && k == PII_KIND_NONE && i < sizeof(header_words) / sizeof(*header_words); i++) {
		const char *w = header_words[i].word, *at = strstr(fold.s, w);
		if (at && (!short_word(w) || at == fold.s))
			k = header_words[i].kind;
	}
	sbuf_release(&fold);
	return k;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 9 to 13 digits, maybe after a +, grouped by spaces, dashes, dots or
 * brackets: a phone number, not an amount (no decimal point or comma). */
static int looks_phone(const char *s, size_t n)
{
	size_t digits = 0, i = 0, groups = 0;

	if (i < n && s[i] == '+')
		i++;
	for (; i < n; i++) {
		if (is_digit(s[i]))
			digits++;
		else if (strchr(" -()", s[i]))
			groups++;
		else
			return 0;
	}
	return digits >= 9 && digits <= 13 && (groups > 0 || s[0] == '+');
}

/* Two Latin capitals and seven digits (an Uzbek passport), or a Russian
 * passport's 4 + 6 digits with a space: documents, not counts. */
static int looks_id(const char *s, size_t n)
{
	size_t i;

	if (n == 9 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z') {
		for (i = 2; i < n && is_digit(s[i]); i++)
			;
		return i == n;
	}
	if (n == 11 && s[4] == ' ') {
		for (i = 0; i < n && (i == 4 || is_digit(s[i])); i++)
			;
		return i == n;
	}
	if (n == 14) {       /* ПИНФЛ / JShShIR: 14 digits */
		for (i = 0; i < n && is_digit(s[i]); i++)
			;
		return i == n;
	}
	return 0;
}

/* A patronymic ending a word: Иванович, Ивановна, Anvarovich, or the
 * separate o'g'li / qizi / ўғли / қизи of Uzbek names. */
static int looks_name(const char *s, size_t n)
{
	static const char *const endings[] = {
		"вич", "вна", "ична", "vich", "vna", "o'g'li", "oʻgʻli", "qizi", "ўғли", "қизи", "ugli", "ogli",
	};
	struct sbuf low = SBUF_INIT;
	int words = 1, hit = 0;

	for (size_t i = 0; i < n; i++)
		words += s[i] == ' ' && i + 1 < n && s[i + 1] != ' ';
	if (words < 2 || words > 5)
		return 0;
	colname_lower(&low, s, n);
	for (size_t k = 0; !hit && k < sizeof(endings) / sizeof(*endings); k++) {
		size_t e = strlen(endings[k]);
		for (const char *at = strstr(low.s, endings[k]); at && !hit; at = strstr(at + 1, endings[k]))
			hit = at[e] == '\0' || at[e] == ' ';
	}
	sbuf_release(&low);
	return hit;
}

enum pii_kind pii_guess_value(const char *s, size_t n)
{
	trim_blanks(&s, &n);
	if (n == 0 || n > 120)
		return PII_KIND_NONE;
	if (looks_phone(s, n))
		return PII_KIND_PHONE;
	if (looks_id(s, n))
		return PII_KIND_ID;
	if (looks_name(s, n))
		return PII_KIND_NAME;
	return PII_KIND_NONE;
}

const char *pii_kind_name(enum pii_kind k)
{
	static const char *const names[] = {
		[PII_KIND_NONE] = "", [PII_KIND_NAME] = "names", [PII_KIND_PHONE] = "phone numbers",
		[PII_KIND_ID] = "passport-like IDs", [PII_KIND_ADDRESS] = "addresses",
		[PII_KIND_BIRTH] = "dates of birth",
	};
	return names[k];
}
