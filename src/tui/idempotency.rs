//! Where `update` takes its idempotency keys from, so that it draws no randomness itself:
//! a random seed drawn once when the app is built (a test may fix it) and a counter.

/// The low bits a key's number goes into: below the UUID's version and variant bits,
/// so every key stays a well-formed version-4 UUID.
const NUMBER_BITS: u128 = (1 << 56) - 1;

/// Idempotency keys, each different from every other of this source. Two sources (two
/// runs, two machines) share a key only if their random seeds nearly coincide: as
/// unlikely as two random UUIDs being equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySource {
    seed: u128,
    drawn: u64,
}

impl KeySource {
    /// A source with a random seed (what the app uses).
    pub fn random() -> KeySource {
        KeySource::seeded(uuid::Uuid::new_v4().as_u128())
    }

    /// A source whose keys are known in advance (tests).
    pub fn seeded(seed: u128) -> KeySource {
        let seed = uuid::Builder::from_random_bytes(seed.to_be_bytes())
            .into_uuid()
            .as_u128();
        KeySource { seed, drawn: 0 }
    }

    /// The next key.
    pub fn next_key(&mut self) -> String {
        self.drawn += 1;
        let number = u128::from(self.drawn) & NUMBER_BITS;
        uuid::Uuid::from_u128(self.seed ^ number).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_uuids_and_a_seed_repeats_them() {
        let mut a = KeySource::seeded(7);
        let keys: Vec<String> = (0..1000).map(|_| a.next_key()).collect();
        let distinct: std::collections::BTreeSet<&String> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
        for k in &keys {
            let u = uuid::Uuid::parse_str(k).unwrap();
            assert_eq!(u.get_version_num(), 4, "{k}");
            assert_eq!(u.get_variant(), uuid::Variant::RFC4122, "{k}");
        }
        let mut again = KeySource::seeded(7);
        assert_eq!(again.next_key(), keys[0]);
        assert_ne!(KeySource::seeded(8).next_key(), keys[0]);
    }
}
