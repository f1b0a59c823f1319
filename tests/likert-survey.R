# R's figures for the Likert differential test (tests/survey.bats): what
# civic-tally must print for a survey coded by likert.rules.
#
#   Rscript tests/likert-survey.R CODED.csv EXPECTED.csv COND...
#
# CODED.csv is civic-classify's output of tests/likert-survey.py's survey;
# each COND is ITEM OP VALUE as civic-tally reads it (trust_police>=4).
# dk, refused and the empty answer are NA, and every figure of an item is
# computed on subset(design, !is.na(item)) (within a region for the
# domains): svymean with its deff, svytotal, svyciprop by the logit, beta,
# mean (civic's wald) and asin methods, t intervals on degf() of that
# subset.  Writes tag,group,column,value,tol (tol "abs" for R's IRLS logit
# limits), %.17g.
suppressPackageStartupMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
coded <- read.csv(args[1], colClasses = "character", na.strings = character(0),
                  encoding = "UTF-8", check.names = FALSE)
conds <- args[-(1:2)]
parts <- regmatches(conds, regexec("^([A-Za-z_]+)(<=|>=|!=|<|>|=)(.+)$", conds))
cond_item <- vapply(parts, `[`, "", 2)
cond_op <- vapply(parts, `[`, "", 3)
cond_value <- as.numeric(vapply(parts, `[`, "", 4))
items <- unique(cond_item)

answer <- function(v) {
  v[v %in% c("dk", "refused", "")] <- NA
  y <- suppressWarnings(as.numeric(v))
  if (any(is.na(y) & !is.na(v))) stop("an answer likert.rules left uncoded: ", v[is.na(y) & !is.na(v)][1])
  y
}
ops <- list("<=" = `<=`, ">=" = `>=`, "!=" = `!=`, "<" = `<`, ">" = `>`, "=" = `==`)

d <- data.frame(stratum = coded$stratum, psu = coded$psu, region = coded$region,
                weight = as.numeric(coded$weight))
for (y in items) d[[y]] <- answer(coded[[y]])
for (k in seq_along(conds))
  d[[paste0("c", k)]] <- as.numeric(ops[[cond_op[k]]](d[[cond_item[k]]], cond_value[k]))
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)

out <- NULL
put <- function(tag, group, column, value, tol = "rel")
  out <<- rbind(out, data.frame(tag = tag, group = group, column = column,
                                value = sprintf("%.17g", value), tol = tol))

t_interval <- function(tag, group, name, est, sub) {
  se <- SE(est)
  q <- qt(0.975, degf(sub))
  put(tag, group, name, coef(est))
  put(tag, group, paste0(name, "_se"), se)
  put(tag, group, paste0(name, "_low"), coef(est) - q * se)
  put(tag, group, paste0(name, "_high"), coef(est) + q * se)
}

figures <- function(base, group, suffix) {
  for (y in items) {
    sub <- base[!is.na(base$variables[[y]]), ]
    f <- as.formula(paste0("~", y))
    m <- svymean(f, sub, deff = TRUE)
    t_interval(paste0("mean", suffix), group, paste0("mean_", y), m, sub)
    put(paste0("mean", suffix), group, paste0("mean_", y, "_deff"), deff(m))
    t_interval(paste0("mean", suffix), group, paste0("sum_", y), svytotal(f, sub), sub)
    put(paste0("mean", suffix), group, paste0("n_", y), sum(!is.na(base$variables[[y]]) & is.finite(base$prob)))
  }
  for (k in seq_along(conds)) {
    sub <- base[!is.na(base$variables[[cond_item[k]]]), ]
    f <- as.formula(paste0("~c", k))
    name <- paste0("share_", conds[k])
    m <- svymean(f, sub, deff = TRUE)
    for (method in c("logit", "beta", "mean", "asin")) {
      tag <- paste0("share-", if (method == "mean") "wald" else method, suffix)
      p <- svyciprop(f, sub, method = method, df = degf(sub))
      ci <- confint(p)
      tol <- if (method == "logit") "abs" else "rel"
      put(tag, group, name, coef(m))
      put(tag, group, paste0(name, "_se"), SE(m))
      put(tag, group, paste0(name, "_low"), ci[1], tol)
      put(tag, group, paste0(name, "_high"), ci[2], tol)
    }
    put(paste0("share-logit", suffix), group, paste0(name, "_deff"), deff(m))
  }
}

figures(des, "-", "")
for (r in sort(unique(d$region)))
  figures(des[d$region == r, ], r, "-region")
write.csv(out, args[2], row.names = FALSE, quote = TRUE)
