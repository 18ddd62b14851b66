-- Indexed accent-insensitive search (issue 18). Every searchable row already carries a
-- search key: its folded words (marks stripped, lower case, runs of letters and digits)
-- joined by single spaces. The rule a search keeps is "every query word begins some word
-- of the key". Until now that was a LIKE over every key of the office: a scan, 113
-- searches a second on 100,000 dossiers. Here the keys are indexed word by word in FTS5
-- tables, so a query word becomes the prefix query `"word"*` and the index hands back
-- the rows holding such a word, however large the table.
--
-- Why these options:
-- * `ascii tokenchars '_'`: the keys are folded already (by the same code that folds the
--   query) and their words are separated by single spaces. This tokenizer splits on
--   ASCII punctuation and spaces only and keeps every other character in its word, so
--   its words are exactly the key's words, in any script; a prefix query on them is
--   exactly the rule, and the index's answer is the search's answer.
-- * `prefix='…'`: the first letters of a word, as a desk types them, are read from
--   their own prefix indexes instead of merging every word that begins with them.
-- * `detail=none, columnsize=0`: a search needs which rows hold a word, not where in
--   the key; positions and sizes would triple the index for nothing.
-- * External content (`content=…`): the words are stored once, in their own table; the
--   index holds only the terms. The triggers below keep the index in the same
--   transaction as the row, so no writer can forget it.
--
-- The inbox's index is by office: each word is indexed as the office's id, six digits
-- wide, then `_`, then the word (`000001_nguyen`), read through the view below. A
-- search of one office's inbox then reads only that office's part of each word's list,
-- and counts its matches from the index alone, however many offices share the table.
-- (`_` never occurs in a key's words, so an office's terms cannot meet a word.) The
-- prefix lengths are those of the office part (7 characters) plus one to eight letters.
--
-- A later migration that rebuilds one of these tables must recreate its triggers and
-- run the 'rebuild' command again.

CREATE VIEW dossier_word_rows AS
    SELECT id, printf('%06d_', office_id)
        || replace(search_key, ' ', ' ' || printf('%06d_', office_id)) AS words
    FROM dossiers;
CREATE VIRTUAL TABLE dossier_words USING fts5(
    words, content = 'dossier_word_rows', content_rowid = 'id',
    tokenize = "ascii tokenchars '_'", prefix = '7 8 9 10 11 12 13 14',
    detail = none, columnsize = 0
);
INSERT INTO dossier_words (dossier_words) VALUES ('rebuild');
CREATE TRIGGER dossier_words_insert AFTER INSERT ON dossiers
BEGIN
    INSERT INTO dossier_words (rowid, words)
        SELECT id, words FROM dossier_word_rows WHERE id = new.id;
END;
CREATE TRIGGER dossier_words_delete AFTER DELETE ON dossiers
BEGIN
    INSERT INTO dossier_words (dossier_words, rowid, words)
        VALUES ('delete', old.id, printf('%06d_', old.office_id)
            || replace(old.search_key, ' ', ' ' || printf('%06d_', old.office_id)));
END;
CREATE TRIGGER dossier_words_update AFTER UPDATE OF search_key, office_id ON dossiers
BEGIN
    INSERT INTO dossier_words (dossier_words, rowid, words)
        VALUES ('delete', old.id, printf('%06d_', old.office_id)
            || replace(old.search_key, ' ', ' ' || printf('%06d_', old.office_id)));
    INSERT INTO dossier_words (rowid, words)
        SELECT id, words FROM dossier_word_rows WHERE id = new.id;
END;

CREATE VIRTUAL TABLE citizen_words USING fts5(
    search_key, content = 'citizens', content_rowid = 'id',
    tokenize = "ascii tokenchars '_'", prefix = '1 2 3 4 5 6 7 8',
    detail = none, columnsize = 0
);
INSERT INTO citizen_words (citizen_words) VALUES ('rebuild');
CREATE TRIGGER citizen_words_insert AFTER INSERT ON citizens
BEGIN
    INSERT INTO citizen_words (rowid, search_key) VALUES (new.id, new.search_key);
END;
CREATE TRIGGER citizen_words_delete AFTER DELETE ON citizens
BEGIN
    INSERT INTO citizen_words (citizen_words, rowid, search_key)
        VALUES ('delete', old.id, old.search_key);
END;
CREATE TRIGGER citizen_words_update AFTER UPDATE OF search_key ON citizens
BEGIN
    INSERT INTO citizen_words (citizen_words, rowid, search_key)
        VALUES ('delete', old.id, old.search_key);
    INSERT INTO citizen_words (rowid, search_key) VALUES (new.id, new.search_key);
END;

CREATE VIRTUAL TABLE certification_words USING fts5(
    search_key, content = 'certifications', content_rowid = 'id',
    tokenize = "ascii tokenchars '_'", prefix = '1 2 3 4 5 6 7 8',
    detail = none, columnsize = 0
);
INSERT INTO certification_words (certification_words) VALUES ('rebuild');
CREATE TRIGGER certification_words_insert AFTER INSERT ON certifications
BEGIN
    INSERT INTO certification_words (rowid, search_key) VALUES (new.id, new.search_key);
END;
CREATE TRIGGER certification_words_delete AFTER DELETE ON certifications
BEGIN
    INSERT INTO certification_words (certification_words, rowid, search_key)
        VALUES ('delete', old.id, old.search_key);
END;
CREATE TRIGGER certification_words_update AFTER UPDATE OF search_key ON certifications
BEGIN
    INSERT INTO certification_words (certification_words, rowid, search_key)
        VALUES ('delete', old.id, old.search_key);
    INSERT INTO certification_words (rowid, search_key) VALUES (new.id, new.search_key);
END;
