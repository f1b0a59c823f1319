# R's figures for tests/survey.bats, computed live by R's survey package and
# printed as CSV whose columns are named as civic-tally names its own, so
# that tests/survey-live-check.py can compare them figure by figure.
suppressMessages(library(survey))

# Estimate, SE and t interval (civic-tally --ci t: the domain's degf) of
# svymean or svytotal of var over des.
figures <- function(des, var, stat = "mean") {
	f <- as.formula(paste0("~", var))
	e <- if (stat == "mean") svymean(f, des) else svytotal(f, des)
	ci <- confint(e, df = degf(des))
	x <- c(coef(e), SE(e), ci[1], ci[2])
	names(x) <- paste0(stat, "_", var, c("", "_se", "_low", "_high"))
	x
}

# The weighted sd (civic-tally sd:C): the square root of svyvar.
sd_figure <- function(des, var) {
	x <- sqrt(coef(svyvar(as.formula(paste0("~", var)), des))[1])
	names(x) <- paste0("sd_", var)
	x
}

# fun over each domain of key, in civic-tally's order, as svyby does
# (rows outside the domain dropped).
by_key <- function(des, key, fun, ...) {
	levels <- sort(unique(as.character(des$variables[[key]])))
	rows <- lapply(levels, function(v) fun(des[des$variables[[key]] == v, ], ...))
	out <- data.frame(levels, do.call(rbind, rows), check.names = FALSE)
	names(out)[1] <- key
	out
}

# Prints a named vector (one row) or a data frame, numbers in full.
emit <- function(x) {
	if (!is.data.frame(x))
		x <- as.data.frame(t(x), check.names = FALSE)
	x[] <- lapply(x, function(c) if (is.numeric(c)) sprintf("%.17g", c) else c)
	write.csv(x, stdout(), row.names = FALSE, quote = FALSE)
}
