-- The word search on PostgreSQL through full-text (GIN) indexes of each key's words.
--
-- The trigram indexes of 0001 answered `(' ' || search_key) LIKE '% word%'` with
-- candidates that had to be read and checked row by row: a common word ("nguyen", in a
-- third of an office's dossiers) or a short one ("an") made a search read tens of
-- thousands of rows (cargo bench --bench portal_load: 68 searches/s on 100,000
-- dossiers). Here each key's words are indexed as they are: the key split at its spaces
-- (keys hold only letters, digits and single spaces), made a tsvector without any text
-- search parser or dictionary (`array_to_tsvector`), so the lexemes are exactly the
-- words; a query is the tsquery `'word':* & …` (src/portal/search.rs), which finds the
-- rows where every query word begins some word of the key: the rule itself, answered
-- from the index.
CREATE INDEX dossiers_lexemes ON dossiers USING gin
    (office_id, array_to_tsvector(array_remove(string_to_array(search_key, ' '), '')));
CREATE INDEX citizens_lexemes ON citizens USING gin
    (array_to_tsvector(array_remove(string_to_array(search_key, ' '), '')));
CREATE INDEX certifications_lexemes ON certifications USING gin
    (office_id, array_to_tsvector(array_remove(string_to_array(search_key, ' '), '')));

DROP INDEX dossiers_words;
DROP INDEX citizens_words;
DROP INDEX certifications_words;
