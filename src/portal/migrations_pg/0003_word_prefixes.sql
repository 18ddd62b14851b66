-- The inbox's word search through an index of word prefixes, in place of the trigram
-- index of 0001.
--
-- The rule is "every query word begins some word of the key". A trigram index answers
-- it only roughly: a name's words are short and common ("nguyen", "thi", "an"), so their
-- trigrams each stand in half the office's dossiers; the index read their long lists and
-- the heap then rechecked every candidate. Here each dossier is indexed under every
-- prefix of every word of its key, with its office in front ("1_n", "1_ng", … "1_nguyen"):
-- a query word is then one exact entry of the index, a query is the AND of its words'
-- entries (`'1_nguyen' & '1_bich' & '1_yen'`), and a dossier is in that AND exactly when
-- it matches the rule. Nothing is rechecked, and a search of one office reads that
-- office's entries only. A key's words are short (names, numbers of at most 12 digits,
-- the parts of a code; a word is at most a field's length), so a key has some fifty
-- entries.
--
-- IMMUTABLE: the result depends on the arguments alone, which an index expression needs.
-- COST 1000 (ten times a default function's) tells the planner that evaluating it row
-- by row is dear, so that it reads the index rather than computing the prefixes of
-- every dossier it walks.
CREATE FUNCTION word_prefixes(office BIGINT, key TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT array_to_tsvector(ARRAY(
        SELECT DISTINCT office::text || '_' || left(word, n)
        FROM unnest(string_to_array(key, ' ')) AS word,
             generate_series(1, length(word)) AS n
        WHERE word <> ''
    ))
$$;

CREATE INDEX dossiers_prefixes ON dossiers USING gin (word_prefixes(office_id, search_key));
DROP INDEX dossiers_words;
