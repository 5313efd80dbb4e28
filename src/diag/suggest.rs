//! Nearest names for "did you mean" help, by edit distance (case-insensitive).

/// The known names closest to `wanted`, best first, at most `limit`. A name qualifies when it is close
/// enough to be a plausible typo: a normalised Damerau-Levenshtein similarity of at least 0.6, or one
/// contains the other.
pub fn nearest<'a, I>(wanted: &str, known: I, limit: usize) -> Vec<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted_lower = wanted.to_lowercase();
    let mut scored: Vec<(u32, String)> = known
        .into_iter()
        .filter_map(|name| {
            let lower = name.to_lowercase();
            if lower == wanted_lower {
                return Some((1000, name.to_string()));
            }
            let sim = strsim::normalized_damerau_levenshtein(&wanted_lower, &lower);
            let contains = wanted_lower.len() >= 3 && (lower.contains(&wanted_lower) || wanted_lower.contains(&lower));
            if sim >= 0.6 || contains {
                // Scores are compared as integers so the order is total and deterministic.
                let score = (sim * 900.0) as u32 + if contains { 50 } else { 0 };
                Some((score, name.to_string()))
            } else {
                None
            }
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(limit).map(|(_, n)| n).collect()
}

/// "did you mean `x`?" or "did you mean one of `x`, `y`?" for the nearest names, if any.
pub fn did_you_mean<'a, I>(wanted: &str, known: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let names = nearest(wanted, known, 3);
    match names.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        many => Some(format!(
            "did you mean one of {}?",
            many.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_role_with_a_typo() {
        let roles = ["AzureML Data Scientist", "AzureML Compute Operator", "Reader"];
        assert_eq!(
            did_you_mean("AzureML Data Scientst", roles).as_deref(),
            Some("did you mean `AzureML Data Scientist`?")
        );
    }

    #[test]
    fn suggests_nothing_for_unrelated_names() {
        assert_eq!(did_you_mean("zzzz", ["alice", "bob"]), None);
    }

    #[test]
    fn case_differences_are_the_best_match() {
        assert_eq!(nearest("READER", ["Reader", "Readers"], 1), vec!["Reader"]);
    }
}
