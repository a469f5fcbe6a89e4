//! Contact search that forgives what people actually type: part of a name, an email with
//! a typo, a phone number without its country code or with spaces.
//!
//! Each contact gets a score; zero means no match. Exact and prefix matches outrank
//! substrings, which outrank near misses (one edit for words of 4+ letters, two for 8+).

/// Levenshtein distance, stopping early once it exceeds `max`.
fn within_edits(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        if current.iter().min().copied().unwrap_or(0) > max {
            return false;
        }
        previous = current;
    }
    previous[b.len()] <= max
}

fn allowed_edits(word: &str) -> usize {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

fn text_score(query: &str, field: &str) -> u32 {
    let field = field.to_lowercase();
    if field.is_empty() {
        return 0;
    }
    if field == query {
        return 100;
    }
    if field.starts_with(query) {
        return 80;
    }
    if field.contains(query) {
        return 60;
    }
    let words: Vec<&str> = field
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let terms: Vec<&str> = query.split_whitespace().collect();
    if terms.is_empty() {
        return 0;
    }
    let mut matched = 0;
    for term in &terms {
        let edits = allowed_edits(term);
        let hit = words.iter().any(|w| {
            // A whole word or the start of one, either exactly or within the typo budget.
            let start: String = w.chars().take(term.chars().count()).collect();
            w.starts_with(term)
                || (edits > 0
                    && (within_edits(term, w, edits) || within_edits(term, &start, edits)))
        });
        if hit {
            matched += 1;
        }
    }
    if matched == terms.len() {
        40
    } else {
        0
    }
}

fn phone_score(query_digits: &str, phone: &str) -> u32 {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if query_digits.len() < 4 || digits.is_empty() {
        return 0;
    }
    // A national number ("07700 900123") drops its trunk zero where E.164 has the
    // country code instead.
    let national = query_digits.trim_start_matches('0');
    if digits == query_digits {
        100
    } else if digits.ends_with(query_digits) || (national.len() >= 6 && digits.ends_with(national))
    {
        90
    } else if digits.contains(query_digits) {
        70
    } else {
        0
    }
}

/// The score of a contact for `query`; 0 means it does not match.
pub fn score(query: &str, name: &str, email: Option<&str>, phone: Option<&str>) -> u32 {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return 0;
    }
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let looks_like_phone = !digits.is_empty()
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let mut best = text_score(&query, name);
    if let Some(email) = email {
        best = best.max(text_score(&query, email));
    }
    if looks_like_phone {
        if let Some(phone) = phone {
            best = best.max(phone_score(&digits, phone));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::score;

    #[test]
    fn finds_partial_names_typos_emails_and_phone_fragments() {
        let ada = (
            "Ada Lovelace",
            Some("ada@analytical.example"),
            Some("+447700900123"),
        );
        let s = |q: &str| score(q, ada.0, ada.1, ada.2);
        assert_eq!(s("ada lovelace"), 100);
        assert!(s("ada") >= 80);
        assert!(s("love") > 0, "a part of a word");
        assert!(s("lovelase") > 0, "one typo");
        assert!(s("adda lovelace") > 0, "a typo in one of two words");
        assert!(s("analytical") > 0, "part of the email");
        assert!(s("analitical") > 0, "a typo in the email");
        assert!(s("0900123") > 0, "a partial phone number");
        assert!(s("07700 900123") > 0, "national format with a space");
        assert!(s("+44 7700 900123") >= 90);
        assert_eq!(s("grace"), 0);
        assert_eq!(s("123"), 0, "too short a number matches nothing");
        assert_eq!(s("   "), 0);
    }
}
