# The survey indicators of share/civic/bulletins/cooperation-trust.json (and
# the Poisson intervals of its rates), computed with R's survey package from
# the generated data, without civic.
#
#   Rscript bulletin-oracle.R survey CURRENT.csv [PREVIOUS.csv [COLUMNS]]
#   Rscript bulletin-oracle.R rates CANONICAL.csv POPULATION.csv PERIOD
#
# survey: CURRENT.csv and PREVIOUS.csv are waves as scripts/gen-survey --wave
# writes them (respondent_id, region, stratum, psu, weight, the answers);
# "dk" and "refused" are missing, as civic-tally's default --missing. The
# design is svydesign(ids = ~psu, strata = ~stratum, weights = ~weight,
# nest = TRUE). For trust in the police, in the prevention inspector
# (answers 4 or 5) and the willingness to report (answer 1), by region and
# for all regions (Total):
#   n                 the rows of the group (answered or not)
#   share             svymean of the 0/1 answer on the domain subset(des,
#                     group & answered), with deff = TRUE (the design effect
#                     without replacement, R's default)
#   _se, _deff        SE() and deff() of that svymean
#   _low, _high       svyciprop's logit interval in closed form:
#                     plogis(qlogis(p) -/+ qt(0.975, degf(domain)) * se / (p (1 - p)))
# and for the service prevention inspectors cooperate with most, the share
# of each answer among those who answered, the same way, ordered by share
# (largest first). With PREVIOUS.csv, for every share: its value in the
# previous wave (_prev), the change (_change), the change's SE as for
# independent samples, sqrt(se^2 + se_prev^2) (_change_se), the two-sided
# normal p-value (_change_p) and whether the change is beyond qnorm(0.975) of its SE
# (_change_sig, 1 or 0), and the published tables' `flags` (the text
# beyond-noise:COLUMN_change when it is): those COLUMNS names
# (comma-separated, default prev,change).
#
# rates: applications per 10,000 residents by region in PERIOD (yyyy or
# yyyy-mm, by received_at) with the exact Poisson (Garwood) interval,
# qgamma(0.025, n) and qgamma(0.975, n + 1) times 10000 / population,
# checked against poisson.test()'s.
#
# Output: the canonical CSV of tests/bulletin-oracle.py,
# indicator,key,column,value, numbers with 17 significant digits.
suppressPackageStartupMessages(library(survey))
options(warn = 2)

args <- commandArgs(TRUE)
out <- function(ind, key, col, v) {
	v <- if (is.na(v)) "NA" else if (is.infinite(v)) (if (v > 0) "Inf" else "-Inf")
	     else if (grepl("^n$|_change_sig$", col)) sprintf("%d", as.integer(v))
	     else sprintf("%.17g", v)
	q <- function(s) if (grepl('[",\n]', s)) paste0('"', gsub('"', '""', s), '"') else s
	cat(q(ind), ",", q(key), ",", q(col), ",", v, "\n", sep = "")
}

read_wave <- function(path) {
	d <- read.csv(path, colClasses = "character", na.strings = "", check.names = FALSE)
	for (c in c("trust_police", "trust_inspector", "would_report", "cooperates_most"))
		d[[c]][d[[c]] %in% c("dk", "refused")] <- NA
	d$weight <- as.numeric(d$weight)
	d$trust_police <- as.numeric(d$trust_police)
	d$trust_inspector <- as.numeric(d$trust_inspector)
	d$would_report <- as.numeric(d$would_report)
	d$y_police <- as.numeric(d$trust_police >= 4)
	d$y_inspector <- as.numeric(d$trust_inspector >= 4)
	d$y_report <- as.numeric(d$would_report == 1)
	for (l in unique(na.omit(d$cooperates_most)))
		d[[paste0("co_", l)]] <- as.numeric(d$cooperates_most == l)
	d
}

design <- function(d) svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)

# one share on a domain: estimate, se, logit interval, deff
domain_share <- function(des, in_domain, y) {
	dom <- des[in_domain & !is.na(des$variables[[y]]), ]
	m <- svymean(as.formula(paste0("~`", y, "`")), dom, deff = TRUE)
	p <- unname(coef(m)); se <- unname(SE(m)); tq <- qt(0.975, degf(dom))
	c(n = NA, est = p, se = se,
	  low = plogis(qlogis(p) - tq * se / (p * (1 - p))),
	  high = plogis(qlogis(p) + tq * se / (p * (1 - p))),
	  deff = unname(deff(m)))
}

by_region <- function(d, y) {
	des <- design(d)
	res <- list()
	for (r in sort(unique(d$region))) {
		e <- domain_share(des, d$region == r, y)
		e["n"] <- sum(d$region == r)
		res[[r]] <- e
	}
	e <- domain_share(des, rep(TRUE, nrow(d)), y)
	e["n"] <- nrow(d)
	res[["Total"]] <- e
	res
}

by_answer <- function(d) {
	des <- design(d)
	res <- list()
	answered <- !is.na(d$cooperates_most)
	for (l in sort(unique(na.omit(d$cooperates_most)))) {
		e <- domain_share(des, answered, paste0("co_", l))
		e["n"] <- sum(d$cooperates_most == l, na.rm = TRUE)
		res[[l]] <- e
	}
	res
}

put_share <- function(ind, col, cur, prev, order = FALSE) {
	keys <- names(cur)
	if (order) {
		est <- sapply(keys, function(k) cur[[k]]["est"])
		keys <- keys[order(-est, keys)]
	}
	for (i in seq_along(keys)) {
		k <- keys[i]; e <- cur[[k]]
		if (order) out(ind, k, "_order", i - 1)
		out(ind, k, "n", e["n"])
		out(ind, k, col, e["est"])
		for (s in c("se", "low", "high", "deff")) out(ind, k, paste0(col, "_", s), e[s])
		if (!is.null(prev) && !is.null(prev[[k]])) {
			p <- prev[[k]]
			ch <- unname(e["est"] - p["est"]); chse <- unname(sqrt(e["se"]^2 + p["se"]^2))
			fig <- c(prev = unname(p["est"]), change = ch, change_se = chse,
				 change_p = 2 * pnorm(-abs(ch / chse)), change_sig = as.numeric(abs(ch) > qnorm(0.975) * chse))
			for (f in setdiff(change_cols, "flags")) out(ind, k, paste0(col, "_", f), fig[[f]])
			if ("flags" %in% change_cols)
				cat(ind, ",", k, ",flags,", if (fig[["change_sig"]] == 1) paste0('"beyond-noise:', col, '_change"') else "", "\n", sep = "")
		}
	}
}

cat("indicator,key,column,value\n")
if (length(args) >= 2 && args[1] == "survey") {
	cur <- read_wave(args[2])
	prev <- if (length(args) >= 3) read_wave(args[3]) else NULL
	change_cols <- if (length(args) >= 4) strsplit(args[4], ",")[[1]] else c("prev", "change")
	stopifnot(all(change_cols %in% c("prev", "change", "change_se", "change_p", "change_sig", "flags")))
	for (it in list(c("trust-police", "y_police", "share_trust_police>=4"),
			c("trust-inspector", "y_inspector", "share_trust_inspector>=4"),
			c("would-report", "y_report", "share_would_report=1")))
		put_share(it[1], it[3], by_region(cur, it[2]),
			if (is.null(prev)) NULL else by_region(prev, it[2]))
	put_share("cooperation-seen", "share", by_answer(cur),
		if (is.null(prev)) NULL else by_answer(prev), order = TRUE)
} else if (length(args) == 4 && args[1] == "rates") {
	reg <- read.csv(args[2], colClasses = "character", check.names = FALSE)
	pop <- read.csv(args[3], colClasses = c(region = "character", population = "numeric"))
	period <- args[4]
	reg <- reg[substr(reg$received_at, 1, nchar(period)) == period, ]
	n <- table(reg$region)
	for (r in names(n)) {
		k <- as.numeric(n[[r]]); scale <- 10000 / pop$population[pop$region == r]
		low <- if (k == 0) 0 else qgamma(0.025, k) * scale
		high <- qgamma(0.975, k + 1) * scale
		pt <- poisson.test(k)$conf.int * scale
		stopifnot(isTRUE(all.equal(c(low, high), as.numeric(pt), tolerance = 1e-12)))
		out("load-per-population", r, "rate_per_10000_low", low)
		out("load-per-population", r, "rate_per_10000_high", high)
	}
} else {
	stop("usage: bulletin-oracle.R survey CURRENT.csv [PREVIOUS.csv] | rates CANONICAL.csv POPULATION.csv PERIOD")
}
