# Reference values for tests/cohesion, computed with R (psych, lavaan, sandwich) from the
# committed synthetic survey in tests/cohesion/fixtures/{responses,scales}.csv.
#
# Run from the repository root (see tests/cohesion/reference/README.md):
#   Rscript tests/cohesion/reference/make_fixtures.R
#
# Conventions (matched by minipublic.cohesion):
# - reverse keying x -> min + max - x; scale score = mean of the items, complete cases only;
# - alpha: psych::alpha on complete cases (raw_alpha; r.drop = item vs rest correlation);
# - CFA: lavaan::cfa defaults: estimator ML, likelihood "normal" (N-divisor covariance,
#   chi-square = N * F_ML), marker-variable identification (std.lv = FALSE), listwise deletion;
# - omega total = (sum lambda)^2 psi / ((sum lambda)^2 psi + sum theta), one-factor model;
# - omega hierarchical: bifactor, orthogonal, std.lv = TRUE; (sum lambda_g)^2 / sum(Sigma_hat);
# - invariance: group = "wave", meanstructure, group.equal "loadings" then
#   c("loadings", "intercepts"); chi-square differences by lavTestLRT (method "standard");
# - effects: paired t on members' change; did / did_ipw = coefficient of the member indicator in
#   lm(change ~ member, weights = w), HC2 from sandwich::vcovHC, t with residual df;
#   w = 1 for members, p / (1 - p) for comparison volunteers (did_ipw);
#   did_ipw_attrition: w / pi_hat, pi_hat from glm(responded ~ member + pre, binomial);
#   Holm and BH across scales within each estimator and post wave (p.adjust).
suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(sandwich)
})
options(digits = 15)
fx <- "tests/cohesion/fixtures"
resp <- read.csv(file.path(fx, "responses.csv"), stringsAsFactors = FALSE)
scales <- read.csv(file.path(fx, "scales.csv"), stringsAsFactors = FALSE)
scale_names <- unique(scales$scale)
for (i in seq_len(nrow(scales))) {
  if (scales$reverse[i] == 1) {
    it <- scales$item[i]
    resp[[it]] <- scales$min[i] + scales$max[i] - resp[[it]]
  }
}
items_of <- function(s) scales$item[scales$scale == s]
write <- function(df, name) write.csv(df, file.path(fx, name), row.names = FALSE)
fmt <- function(df) { df[] <- lapply(df, function(v) if (is.numeric(v)) signif(v, 15) else v); df }

# ---- reliability at T0 -------------------------------------------------------------
t0 <- resp[resp$wave == "T0", ]
rel <- list(); itot <- list()
for (s in scale_names) {
  its <- items_of(s)
  x <- na.omit(t0[, its, drop = FALSE])
  a <- suppressWarnings(psych::alpha(x, check.keys = FALSE, warnings = FALSE))
  om <- NA
  if (length(its) >= 3) {
    model <- paste("f =~", paste(its, collapse = " + "))
    fit <- cfa(model, data = x)
    pe <- parameterEstimates(fit)
    lam <- pe$est[pe$op == "=~"]
    psi <- pe$est[pe$op == "~~" & pe$lhs == "f" & pe$rhs == "f"]
    th <- pe$est[pe$op == "~~" & pe$lhs %in% its & pe$lhs == pe$rhs]
    om <- sum(lam)^2 * psi / (sum(lam)^2 * psi + sum(th))
  }
  rel[[s]] <- data.frame(scale = s, alpha = a$total$raw_alpha, omega_total = om, n = nrow(x))
  itot[[s]] <- data.frame(scale = s, item = its, r_item_rest = a$item.stats[its, "r.drop"],
                          alpha_if_deleted = a$alpha.drop[its, "raw_alpha"])
}
write(fmt(do.call(rbind, rel)), "r_reliability_T0.csv")
write(fmt(do.call(rbind, itot)), "r_item_total_T0.csv")

# ---- omega hierarchical (bifactor) over the scales of 3+ items at T0 ----------------
big <- scale_names[sapply(scale_names, function(s) length(items_of(s)) >= 3)]
its_all <- unlist(lapply(big, items_of))
xb <- na.omit(t0[, its_all])
mb <- paste(c(paste("general =~", paste(its_all, collapse = " + ")),
              sapply(big, function(s) paste(s, "=~", paste(items_of(s), collapse = " + ")))),
            collapse = "\n")
fb <- cfa(mb, data = xb, std.lv = TRUE, orthogonal = TRUE)
lb <- lavInspect(fb, "est")$lambda
omh <- sum(lb[, "general"])^2 / sum(fitted(fb)$cov)
write(fmt(data.frame(scales = paste(big, collapse = ";"), omega_h = omh, n = nrow(xb),
                     chisq = fitMeasures(fb, "chisq"))), "r_omega_h_T0.csv")

# ---- CFA of the three-level model at T0: one factor per scale, and one per level -------
cfa_model <- function(groups) paste(sapply(names(groups), function(f)
  paste(f, "=~", paste(groups[[f]], collapse = " + "))), collapse = "\n")
by_scale <- setNames(lapply(scale_names, items_of), scale_names)
by_level <- lapply(split(scales$item, factor(scales$level, levels = unique(scales$level))), identity)
fit_cols <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "baseline.chisq", "baseline.df")
for (by in c("scale", "level")) {
  groups <- if (by == "scale") by_scale else by_level
  x <- na.omit(t0[, scales$item])
  fit <- cfa(cfa_model(groups), data = x)
  st <- standardizedSolution(fit)
  pe <- parameterEstimates(fit)
  ld <- pe[pe$op == "=~", c("lhs", "rhs", "est")]
  ld$std_all <- st$est.std[st$op == "=~"]
  names(ld) <- c("factor", "item", "estimate", "std_all")
  write(fmt(ld), sprintf("r_cfa_%s_T0_loadings.csv", by))
  fm <- fitMeasures(fit, fit_cols)
  write(fmt(data.frame(measure = names(fm), value = as.numeric(fm), n = nrow(x))),
        sprintf("r_cfa_%s_T0_fit.csv", by))
}

# ---- measurement invariance across waves (one factor per scale) ---------------------
xi <- na.omit(resp[, c("wave", scales$item)])
mod <- cfa_model(by_scale)
configural <- cfa(mod, data = xi, group = "wave", meanstructure = TRUE)
metric <- cfa(mod, data = xi, group = "wave", meanstructure = TRUE, group.equal = "loadings")
scalar <- cfa(mod, data = xi, group = "wave", meanstructure = TRUE,
              group.equal = c("loadings", "intercepts"))
inv <- do.call(rbind, lapply(list(configural = configural, metric = metric, scalar = scalar),
  function(f) { fm <- fitMeasures(f, fit_cols); as.data.frame(as.list(setNames(as.numeric(fm), fit_cols))) }))
inv$model <- rownames(inv)
lrt1 <- lavTestLRT(configural, metric)
lrt2 <- lavTestLRT(metric, scalar)
inv$delta_chisq <- c(NA, lrt1$`Chisq diff`[2], lrt2$`Chisq diff`[2])
inv$delta_df <- c(NA, lrt1$`Df diff`[2], lrt2$`Df diff`[2])
inv$p_delta <- c(NA, lrt1$`Pr(>Chisq)`[2], lrt2$`Pr(>Chisq)`[2])
inv$groups <- paste(lavInspect(configural, "group.label"), collapse = ";")
write(fmt(inv), "r_invariance.csv")

# ---- effects ------------------------------------------------------------------------
score <- function(d, s) { its <- items_of(s); m <- rowMeans(d[, its, drop = FALSE]); m }
for (s in scale_names) resp[[paste0("score_", s)]] <- score(resp, s)
hc2 <- function(fit) {
  V <- vcovHC(fit, type = "HC2")
  list(V = V, df = fit$df.residual)
}
eff <- list(); sub <- list()
pool_base <- resp[resp$wave == "T0" & resp$arm != "public", ]
for (post in c("T1", "T2")) {
  for (s in scale_names) {
    sc <- paste0("score_", s)
    pre <- resp[resp$wave == "T0", c("person", "arm", "selection_probability", sc,
                                     "score_trust_institutions", "reason_no_point")]
    names(pre)[4:5] <- c("pre", "trust_pre")
    pst <- resp[resp$wave == post, c("person", sc)]
    names(pst)[2] <- "post"
    d <- merge(pre, pst, by = "person")
    d <- d[!is.na(d$pre) & !is.na(d$post), ]
    d$change <- d$post - d$pre
    d <- d[d$arm != "public", ]
    d$member <- as.numeric(d$arm == "member")
    p <- d$selection_probability
    d$w_ipw <- ifelse(d$member == 1, 1, p / (1 - p))
    nm <- sum(d$member == 1); nc <- sum(d$member == 0)
    # paired
    ch <- d$change[d$member == 1]
    tt <- t.test(ch)
    sd_pre_m <- sd(d$pre[d$member == 1])
    dd <- mean(ch) / sd_pre_m
    J <- function(nu) 1 - 3 / (4 * nu - 1)
    eff[[length(eff) + 1]] <- data.frame(post = post, scale = s, estimator = "paired",
      estimate = mean(ch), se = sd(ch) / sqrt(length(ch)), ci_low = tt$conf.int[1],
      ci_high = tt$conf.int[2], p = tt$p.value, n_member = nm, n_comparison = 0,
      d = dd, g = dd * J(length(ch) - 1))
    # pooled baseline SD of members and comparison
    s1 <- var(d$pre[d$member == 1]); s0 <- var(d$pre[d$member == 0])
    sp <- sqrt(((nm - 1) * s1 + (nc - 1) * s0) / (nm + nc - 2))
    # attrition weights: baseline pool with a score on this scale, responded = post score present
    base <- merge(pre[pre$arm != "public" & !is.na(pre$pre), ], pst, by = "person", all.x = TRUE)
    base$responded <- as.numeric(!is.na(base$post))
    base$member <- as.numeric(base$arm == "member")
    gl <- glm(responded ~ member + pre, family = binomial, data = base)
    base$pi_hat <- fitted(gl)
    d <- merge(d, base[, c("person", "pi_hat")], by = "person")
    d$w_att <- d$w_ipw / d$pi_hat
    for (est in c("did", "did_ipw", "did_ipw_attrition")) {
      w <- switch(est, did = rep(1, nrow(d)), did_ipw = d$w_ipw, did_ipw_attrition = d$w_att)
      fit <- lm(change ~ member, data = d, weights = w)
      h <- hc2(fit)
      b <- unname(coef(fit)["member"]); se <- sqrt(h$V["member", "member"])
      tval <- b / se
      q <- qt(0.975, h$df)
      dd <- b / sp
      eff[[length(eff) + 1]] <- data.frame(post = post, scale = s, estimator = est,
        estimate = b, se = se, ci_low = b - q * se, ci_high = b + q * se,
        p = 2 * pt(-abs(tval), h$df), n_member = nm, n_comparison = nc,
        d = dd, g = dd * J(nm + nc - 2))
    }
    # subgroups (weighted by odds of selection), interaction model with HC2
    thr <- median(d$trust_pre, na.rm = TRUE)
    for (sg in c("low_trust", "no_point")) {
      e <- d
      e$sub <- if (sg == "low_trust") as.numeric(e$trust_pre < thr) else e$reason_no_point
      e <- e[!is.na(e$sub), ]
      fit <- lm(change ~ member * sub, data = e, weights = w_ipw)
      V <- vcovHC(fit, type = "HC2"); df <- fit$df.residual
      cf <- coef(fit)
      cvec <- c(0, 1, 0, 1)
      rows <- list(outside = c(0, 1, 0, 0), inside = cvec, interaction = c(0, 0, 0, 1))
      for (nmr in names(rows)) {
        cc <- rows[[nmr]]
        b <- sum(cc * cf); se <- sqrt(drop(t(cc) %*% V %*% cc))
        sub[[length(sub) + 1]] <- data.frame(post = post, scale = s, subgroup = sg, term = nmr,
          estimate = b, se = se, p = 2 * pt(-abs(b / se), df), df = df,
          n_in = sum(e$sub == 1), n_out = sum(e$sub == 0), threshold = thr)
      }
    }
  }
}
eff <- do.call(rbind, eff)
eff$p_holm <- NA; eff$p_bh <- NA
for (key in unique(paste(eff$post, eff$estimator))) {
  i <- paste(eff$post, eff$estimator) == key
  eff$p_holm[i] <- p.adjust(eff$p[i], "holm")
  eff$p_bh[i] <- p.adjust(eff$p[i], "BH")
}
write(fmt(eff), "r_effects.csv")
write(fmt(do.call(rbind, sub)), "r_subgroups.csv")
cat("wrote fixtures to", fx, "\n")
