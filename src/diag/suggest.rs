//! Did-you-mean: the one place atkmap picks the word a misspelling most likely meant (keys,
//! kinds, tactic names, references). ATT&CK IDs have their own, digit-aware suggestions in
//! `attack::lookup`.

/// The candidate nearest to a misspelling, if it is near enough to be what was meant.
pub fn closest<'c>(value: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = value.to_lowercase();
    let length = lower.chars().count();
    candidates
        .iter()
        .filter_map(|c| {
            let near = (c.len() / 3).max(1);
            let candidate = c.to_lowercase();
            // The distance is at least the difference in length: a long hostile value costs
            // nothing here instead of a quadratic comparison per candidate.
            if length.abs_diff(candidate.chars().count()) > near {
                return None;
            }
            let distance = strsim::damerau_levenshtein(&lower, &candidate);
            (distance <= near).then_some((distance, *c))
        })
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close() {
        assert_eq!(closest("nmae", &["name", "id"]), Some("name"));
        assert_eq!(closest("zzzzzz", &["name", "id"]), None);
        assert_eq!(
            closest("Interne", &["internet", "partner"]),
            Some("internet")
        );
    }
}
