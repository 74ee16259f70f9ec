#include "storage/schema.hpp"

#include "common/log.hpp"

#include <array>
#include <string>
#include <string_view>

namespace portscreen::storage {
namespace {

/// One step from version `to - 1` to version `to`. A step is never edited once released: a
/// change to the schema is a new step appended to the list.
struct Migration {
    int to;
    std::string_view sql;
};

// Indexes cost ingest speed (every insert updates every index), so each one below exists
// because a query of this module or a planned reader needs it; the comment says which.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,   -- duplicate check by the client's id
    content_type    TEXT NOT NULL,
    content_sha256  TEXT NOT NULL UNIQUE,   -- duplicate check by content
    interchange_key TEXT,                   -- EDIFACT "sender/control-reference"; NULL for JSON
    source          TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    reply_body      TEXT NOT NULL,
    payload         BLOB NOT NULL
);
-- duplicate interchange check; JSON messages have no key and take no space in it
CREATE UNIQUE INDEX messages_interchange_key ON messages (interchange_key)
    WHERE interchange_key IS NOT NULL;

CREATE TABLE vessel_calls (
    id           INTEGER PRIMARY KEY,
    imo          TEXT NOT NULL,
    voyage       TEXT NOT NULL,
    port_of_call TEXT NOT NULL,
    vessel_name  TEXT NOT NULL,
    carrier      TEXT NOT NULL,
    eta          TEXT NOT NULL,
    last_port    TEXT NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES messages (id),
    updated_by   INTEGER NOT NULL REFERENCES messages (id),
    UNIQUE (imo, voyage, port_of_call)
);

CREATE TABLE parties (
    id         INTEGER PRIMARY KEY,
    party_key  TEXT NOT NULL UNIQUE,        -- normalised country and name
    name       TEXT NOT NULL,
    country    TEXT NOT NULL,
    identifier TEXT NOT NULL,
    address    TEXT NOT NULL,
    city       TEXT NOT NULL,
    postcode   TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    times_seen INTEGER NOT NULL DEFAULT 0   -- bills of lading that named the party
);

CREATE TABLE consignments (
    id                  INTEGER PRIMARY KEY,
    vessel_call_id      INTEGER NOT NULL REFERENCES vessel_calls (id),
    master_bl           TEXT NOT NULL,
    house_bl            TEXT NOT NULL DEFAULT '',
    shipper_id          INTEGER REFERENCES parties (id),
    consignee_id        INTEGER REFERENCES parties (id),
    notify_id           INTEGER REFERENCES parties (id),
    forwarder_id        INTEGER REFERENCES parties (id),
    place_of_receipt    TEXT NOT NULL,
    port_of_loading     TEXT NOT NULL,
    transshipment_ports TEXT NOT NULL,      -- LOCODEs joined by ","
    port_of_discharge   TEXT NOT NULL,
    place_of_delivery   TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
    revision            INTEGER NOT NULL,
    message_row         INTEGER NOT NULL REFERENCES messages (id),
    UNIQUE (vessel_call_id, master_bl, house_bl)
);

CREATE TABLE consignment_revisions (
    consignment_id INTEGER NOT NULL REFERENCES consignments (id),
    revision       INTEGER NOT NULL,
    message_row    INTEGER NOT NULL REFERENCES messages (id),
    -- OR chains, not IN lists: SQLite builds a temporary b-tree for an IN list of more than
    -- two values each time the check runs, which doubled the cost of each revision row.
    function       TEXT NOT NULL CHECK (function = 'original' OR function = 'replace'
                                        OR function = 'change' OR function = 'cancel'),
    action         TEXT NOT NULL CHECK (action = 'created' OR action = 'replaced'
                                        OR action = 'changed' OR action = 'cancelled'),
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (consignment_id, revision)
) WITHOUT ROWID;

CREATE TABLE goods_items (
    id             INTEGER PRIMARY KEY,
    consignment_id INTEGER NOT NULL REFERENCES consignments (id),
    item_number    INTEGER NOT NULL,
    hs_code        TEXT NOT NULL,
    description    TEXT NOT NULL,
    packages       INTEGER NOT NULL,
    package_type   TEXT NOT NULL,
    gross_mass_kg  REAL,
    UNIQUE (consignment_id, item_number)    -- also finds a B/L's goods when it is amended
);

CREATE TABLE containers (
    id             INTEGER PRIMARY KEY,
    vessel_call_id INTEGER NOT NULL REFERENCES vessel_calls (id),
    number         TEXT NOT NULL,
    size_type      TEXT NOT NULL,
    load_status    TEXT NOT NULL CHECK (load_status IN ('full', 'empty')),
    gross_mass_kg  REAL,
    tare_mass_kg   REAL,
    message_row    INTEGER NOT NULL REFERENCES messages (id),
    UNIQUE (vessel_call_id, number)
);
-- a container's history across vessel calls (profiling, alerts from other ports)
CREATE INDEX containers_number ON containers (number);

CREATE TABLE seals (
    container_id  INTEGER NOT NULL REFERENCES containers (id),
    number        TEXT NOT NULL,
    sealing_party TEXT NOT NULL,
    PRIMARY KEY (container_id, number)
) WITHOUT ROWID;

CREATE TABLE placements (
    goods_item_id INTEGER NOT NULL REFERENCES goods_items (id),
    container_id  INTEGER NOT NULL REFERENCES containers (id),
    packages      INTEGER,
    PRIMARY KEY (goods_item_id, container_id)
) WITHOUT ROWID;
-- what a container holds: the question screening asks of every container
CREATE INDEX placements_container ON placements (container_id);
)sql";

// Profiling: what scores rest on (rule sets, models, watchlists), the scores themselves, the
// selections made from them and the inspection outcomes that teach the model.
constexpr std::string_view kVersion2 = R"sql(
-- when the sender issued the message (its first manifest), for late-filing indicators
ALTER TABLE messages ADD COLUMN issued_at TEXT NOT NULL DEFAULT '';

CREATE TABLE rule_sets (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    source_text  TEXT NOT NULL,
    loaded_at    TEXT NOT NULL,
    loaded_by    TEXT NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE models (
    id            INTEGER PRIMARY KEY,
    trained_at    TEXT NOT NULL,
    feature_names TEXT NOT NULL,            -- JSON array, the model's columns in order
    metrics       TEXT NOT NULL,            -- JSON: rows, positives, held-out precision, ...
    status        TEXT NOT NULL CHECK (status = 'adopted' OR status = 'refused'),
    model         BLOB NOT NULL             -- the tree library's JSON model
);

-- One row per name: the active rule set and model, and a generation number that any change
-- to what scores rest on increments, so a running node knows to reload and re-score.
CREATE TABLE profiling_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE watchlist_entries (
    id         INTEGER PRIMARY KEY,
    entry_id   TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('party', 'container', 'vessel', 'bill_of_lading',
                                             'route')),
    value      TEXT NOT NULL,
    country    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    source     TEXT NOT NULL,
    expires    TEXT NOT NULL,               -- YYYY-MM-DD or '' for never
    points     REAL,
    added_at   TEXT NOT NULL,
    removed_at TEXT
);

-- The current score of each container; `basis` is the newest message row the container's
-- facts came from, so an amendment makes the score stale.
CREATE TABLE scores (
    container_id    INTEGER PRIMARY KEY REFERENCES containers (id),
    score           REAL NOT NULL,
    main_source     TEXT NOT NULL,
    factors         TEXT NOT NULL,          -- JSON array of the explanation
    features        BLOB NOT NULL,          -- the model features as float32, for training
    rule_set_id     INTEGER REFERENCES rule_sets (id),
    model_id        INTEGER REFERENCES models (id),
    generation      INTEGER NOT NULL,
    basis           INTEGER NOT NULL REFERENCES messages (id),
    scored_at       TEXT NOT NULL
);

CREATE TABLE selections (
    container_id INTEGER PRIMARY KEY REFERENCES containers (id),
    day          TEXT NOT NULL,
    lane         TEXT NOT NULL CHECK (lane IN ('red', 'yellow', 'green')),
    source       TEXT NOT NULL,
    random       INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    score        REAL NOT NULL,
    decided_by   TEXT NOT NULL,
    decided_at   TEXT NOT NULL
);
-- the day's list, in the officers' queue and in the statistics
CREATE INDEX selections_day ON selections (day);

-- What each day's selection was drawn from, for unbiased estimates from the random share.
CREATE TABLE selection_days (
    day          TEXT PRIMARY KEY,
    candidates   INTEGER NOT NULL,
    targeted     INTEGER NOT NULL,
    pool         INTEGER NOT NULL,          -- not targeted: where the random picks came from
    random_picks INTEGER NOT NULL,
    policy       TEXT NOT NULL,             -- JSON of the policy used, seed included
    decided_at   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE manual_decisions (
    id           INTEGER PRIMARY KEY,
    container_id INTEGER NOT NULL REFERENCES containers (id),
    action       TEXT NOT NULL CHECK (action IN ('add', 'remove')),
    lane         TEXT NOT NULL CHECK (lane IN ('red', 'yellow', 'green')),
    reason       TEXT NOT NULL,
    officer      TEXT NOT NULL,
    decided_at   TEXT NOT NULL
);

CREATE TABLE outcomes (
    container_id INTEGER PRIMARY KEY REFERENCES containers (id),
    inspected_on TEXT NOT NULL,             -- YYYY-MM-DD
    method       TEXT NOT NULL CHECK (method IN ('scan', 'physical')),
    result       TEXT NOT NULL CHECK (result IN ('no_find', 'seizure')),
    category     TEXT NOT NULL,
    description  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);

-- Counters kept up to date when outcomes are recorded, so scoring never rescans outcomes.
CREATE TABLE party_outcomes (
    party_id    INTEGER PRIMARY KEY REFERENCES parties (id),
    inspections INTEGER NOT NULL,
    findings    INTEGER NOT NULL
);

-- ln(kg per package) statistics per HS heading, added to when a container is first scored.
CREATE TABLE mass_norms (
    hs4        TEXT PRIMARY KEY,
    count      REAL NOT NULL,
    sum_log    REAL NOT NULL,
    sum_sq_log REAL NOT NULL
) WITHOUT ROWID;
)sql";

// Scanner images: scans as received, their image files (stored content-addressed in the data
// folder, named by SHA-256), the containers each was read as, and what analysis found.
constexpr std::string_view kVersion3 = R"sql(
CREATE TABLE scans (
    id          INTEGER PRIMARY KEY,
    scan_id     TEXT NOT NULL UNIQUE,       -- the scanner's id, unique per node
    scanner_id  TEXT NOT NULL,
    scanned_at  TEXT NOT NULL,
    view        TEXT NOT NULL,
    header      TEXT NOT NULL,              -- the JSON header as received
    source      TEXT NOT NULL,
    received_at TEXT NOT NULL
);

CREATE TABLE scan_images (
    scan_row INTEGER NOT NULL REFERENCES scans (id),
    channel  TEXT NOT NULL CHECK (channel IN ('high', 'low', 'single')),
    format   TEXT NOT NULL CHECK (format IN ('png', 'tiff', 'raw', 'dicos')),
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    sha256   TEXT NOT NULL,                 -- names the file under images/
    bytes    INTEGER NOT NULL,
    PRIMARY KEY (scan_row, channel)
) WITHOUT ROWID;

-- Each container number read at the gate, linked to the manifest's container when one matches;
-- the unmatched ones wait for an officer.
CREATE TABLE scan_containers (
    scan_row     INTEGER NOT NULL REFERENCES scans (id),
    position     INTEGER NOT NULL,
    number_read  TEXT NOT NULL,
    container_id INTEGER REFERENCES containers (id),
    problem      TEXT NOT NULL,             -- why it is unmatched; '' once linked
    linked_by    TEXT NOT NULL,             -- 'gate' or the officer who linked it
    linked_at    TEXT NOT NULL,
    PRIMARY KEY (scan_row, position)
) WITHOUT ROWID;
-- a container's scans (container page, profiling)
CREATE INDEX scan_containers_container ON scan_containers (container_id);

CREATE TABLE scan_analyses (
    id                        INTEGER PRIMARY KEY,
    scan_row                  INTEGER NOT NULL REFERENCES scans (id),
    container_id              INTEGER REFERENCES containers (id),
    algorithm_version         TEXT NOT NULL,
    confidence                REAL NOT NULL,
    loaded                    INTEGER NOT NULL,
    declared_empty_but_loaded INTEGER NOT NULL,
    density_inconsistent      INTEGER NOT NULL,
    mass_ratio                REAL,
    anomaly_score             REAL NOT NULL,
    result                    TEXT NOT NULL, -- JSON: the full analysis, regions included
    analysed_at               TEXT NOT NULL
);
-- the newest analysis of a container, for its facts
CREATE INDEX scan_analyses_container ON scan_analyses (container_id);
CREATE INDEX scan_analyses_scan ON scan_analyses (scan_row);

-- the image analysis a score took into account, so a new one makes it stale
ALTER TABLE scores ADD COLUMN image_basis INTEGER NOT NULL DEFAULT 0;
)sql";

// People and what they did: accounts, sessions, the hash-chained audit log, the inspection
// workflow of each container, outcome details in CEN-style fields, attachments, and the regions
// scanner operators mark on images.
constexpr std::string_view kVersion4 = R"sql(
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('officer', 'operator', 'manager', 'admin')),
    password_hash TEXT NOT NULL,            -- Argon2id in libsodium's crypto_pwhash_str form
    created_at    TEXT NOT NULL,
    disabled_at   TEXT                      -- NULL while the account may log in
);

-- Only a hash of the cookie's token is kept, so a copy of the database opens no session.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
) WITHOUT ROWID;

-- Append-only: each entry's hash covers its fields and the previous entry's hash.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,                -- JSON object
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Where each container stands once a person or the selection has acted on it; a container
-- without a row is "scored" (or not yet scored).
CREATE TABLE workflow (
    container_id INTEGER PRIMARY KEY REFERENCES containers (id),
    state        TEXT NOT NULL CHECK (state IN ('selected', 'scan_ordered', 'scanned',
                                                'exam_ordered', 'closed', 'released')),
    lane         TEXT NOT NULL,
    source       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
-- the operators' worklist and the officers' queue filter by state
CREATE INDEX workflow_state ON workflow (state);

CREATE TABLE workflow_transitions (
    id           INTEGER PRIMARY KEY,
    container_id INTEGER NOT NULL REFERENCES containers (id),
    from_state   TEXT NOT NULL,
    to_state     TEXT NOT NULL,
    action       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL,             -- JSON object
    at           TEXT NOT NULL
);
-- a container's history on its page
CREATE INDEX workflow_transitions_container ON workflow_transitions (container_id);

ALTER TABLE outcomes ADD COLUMN quantity REAL;
ALTER TABLE outcomes ADD COLUMN unit TEXT NOT NULL DEFAULT '';
ALTER TABLE outcomes ADD COLUMN concealment TEXT NOT NULL DEFAULT '';
ALTER TABLE outcomes ADD COLUMN detection TEXT NOT NULL DEFAULT '';
ALTER TABLE outcomes ADD COLUMN place TEXT NOT NULL DEFAULT '';
ALTER TABLE outcomes ADD COLUMN notes TEXT NOT NULL DEFAULT '';

-- Files attached to an outcome, stored by SHA-256 under the data folder's attachments/.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    container_id INTEGER NOT NULL REFERENCES containers (id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     TEXT NOT NULL
);
CREATE INDEX attachments_container ON attachments (container_id);

-- Regions a scanner operator drew on a scan, in full-resolution pixels.
CREATE TABLE scan_regions (
    id         INTEGER PRIMARY KEY,
    scan_row   INTEGER NOT NULL REFERENCES scans (id),
    x          INTEGER NOT NULL,
    y          INTEGER NOT NULL,
    width      INTEGER NOT NULL CHECK (width > 0),
    height     INTEGER NOT NULL CHECK (height > 0),
    label      TEXT NOT NULL,
    note       TEXT NOT NULL,
    drawn_by   TEXT NOT NULL,
    drawn_at   TEXT NOT NULL
);
CREATE INDEX scan_regions_scan ON scan_regions (scan_row);
-- finding a scan by its images, when a NACK removes files no scan names any more
CREATE INDEX scan_images_sha256 ON scan_images (sha256);
)sql";

// The web pages ask for the vessel calls of a day, by ETA, many times a minute.
constexpr std::string_view kVersion5 = R"sql(
CREATE INDEX vessel_calls_eta ON vessel_calls (eta);
)sql";

// Sharing between ports (docs/sharing.md). Events are captured by triggers in the transaction of
// the change itself, so nothing recorded is ever left unshared and nothing is shared twice.
constexpr std::string_view kVersion6 = R"sql(
-- 'seq': the last sequence number this node gave a message it made; 'alert_threshold': scores
-- at or above it become alert events. It is there while the node shares (written at start), and
-- the triggers below record nothing without it.
CREATE TABLE share_state (
    key   TEXT PRIMARY KEY,
    value NOT NULL
) WITHOUT ROWID;

-- Changes to turn into messages, in order: an alert asked for or scored (ref: container), an
-- outcome recorded (ref: container), a watchlist entry of this node added, changed or removed
-- (ref: watchlist_entries row).
CREATE TABLE share_events (
    id   INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('alert', 'outcome', 'watchlist')),
    ref  INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT ''           -- an officer's reason for an alert
);

-- Containers this node has alerted, so that a re-score does not alert them again.
CREATE TABLE share_alerted (
    container_id INTEGER PRIMARY KEY REFERENCES containers (id),
    message_id   TEXT NOT NULL,
    alerted_at   TEXT NOT NULL
);

-- Received entries keep their origin; only this node's own entries (origin NULL) are shared.
ALTER TABLE watchlist_entries ADD COLUMN origin TEXT;

CREATE TRIGGER share_alert_scored AFTER INSERT ON scores
WHEN NEW.score >= (SELECT value FROM share_state WHERE key = 'alert_threshold')
     AND NOT EXISTS (SELECT 1 FROM share_alerted WHERE container_id = NEW.container_id)
BEGIN
    INSERT INTO share_events (kind, ref) VALUES ('alert', NEW.container_id);
END;
CREATE TRIGGER share_outcome_recorded AFTER INSERT ON outcomes
WHEN EXISTS (SELECT 1 FROM share_state WHERE key = 'alert_threshold')
BEGIN
    INSERT INTO share_events (kind, ref) VALUES ('outcome', NEW.container_id);
END;
CREATE TRIGGER share_watch_added AFTER INSERT ON watchlist_entries
WHEN NEW.origin IS NULL AND EXISTS (SELECT 1 FROM share_state WHERE key = 'alert_threshold')
BEGIN
    INSERT INTO share_events (kind, ref) VALUES ('watchlist', NEW.id);
END;
CREATE TRIGGER share_watch_changed AFTER UPDATE ON watchlist_entries
WHEN NEW.origin IS NULL AND EXISTS (SELECT 1 FROM share_state WHERE key = 'alert_threshold')
BEGIN
    INSERT INTO share_events (kind, ref) VALUES ('watchlist', NEW.id);
END;

-- The state of each link with a peer: the numbers of the messages sent to it (this node numbers
-- each link from 1) and received from it, and when it was last heard.
CREATE TABLE share_links (
    peer          TEXT PRIMARY KEY,
    next_link_seq INTEGER NOT NULL DEFAULT 1,
    acknowledged  INTEGER NOT NULL DEFAULT 0,
    received      INTEGER NOT NULL DEFAULT 0,
    connected     INTEGER NOT NULL DEFAULT 0,
    last_seen     TEXT
) WITHOUT ROWID;

-- Signed messages waiting for a peer's acknowledgement; acknowledged ones are deleted.
CREATE TABLE share_outbox (
    peer       TEXT NOT NULL,
    link_seq   INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    signature  BLOB NOT NULL,
    queued_at  TEXT NOT NULL,
    PRIMARY KEY (peer, link_seq)
) WITHOUT ROWID;

-- Every message received and taken, by its global id, so a message that arrives twice (again,
-- or through a hub) is applied once.
CREATE TABLE share_inbox (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE,
    origin      TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    from_peer   TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    signature   BLOB NOT NULL,
    received_at TEXT NOT NULL
);

-- Messages refused on arrival, with why.
CREATE TABLE share_refused (
    id          INTEGER PRIMARY KEY,
    from_peer   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    received_at TEXT NOT NULL
);

-- Alerts and seizures received from other ports, which raise the scores of the container here
-- until they expire.
CREATE TABLE shared_alerts (
    id         INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    origin     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('alert', 'seizure')),
    container  TEXT NOT NULL,
    reason     TEXT NOT NULL,
    points     REAL NOT NULL,
    created_at TEXT NOT NULL,
    expires    TEXT NOT NULL,               -- YYYY-MM-DD, the last day it counts
    body       TEXT NOT NULL
);
CREATE INDEX shared_alerts_container ON shared_alerts (container);

-- Inspection outcomes received from other ports: shown with the container, aggregated by a hub.
CREATE TABLE shared_outcomes (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT NOT NULL UNIQUE,
    origin       TEXT NOT NULL,
    container    TEXT NOT NULL,
    port_of_call TEXT NOT NULL,
    inspected_on TEXT NOT NULL,
    method       TEXT NOT NULL,
    result       TEXT NOT NULL CHECK (result IN ('no_find', 'seizure')),
    category     TEXT NOT NULL,
    description  TEXT NOT NULL,
    quantity     REAL,
    unit         TEXT NOT NULL,
    concealment  TEXT NOT NULL,
    detection    TEXT NOT NULL,
    place        TEXT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX shared_outcomes_container ON shared_outcomes (container);
CREATE INDEX shared_outcomes_day ON shared_outcomes (inspected_on);

-- Answers to this node's container queries.
CREATE TABLE shared_answers (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE,
    query_id    TEXT NOT NULL,
    origin      TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX shared_answers_query ON shared_answers (query_id);
)sql";

constexpr std::array kMigrations{
    Migration{1, kVersion1}, Migration{2, kVersion2}, Migration{3, kVersion3},
    Migration{4, kVersion4}, Migration{5, kVersion5}, Migration{6, kVersion6},
};

static_assert(kMigrations.back().to == kSchemaVersion,
              "the last migration step must reach kSchemaVersion");

[[noreturn]] void refuse_newer(const Database& db, int found) {
    throw Error("cannot use database " + db.path(), 0,
                "schema version " + std::to_string(found) +
                    " is newer than this program "
                    "supports (" +
                    std::to_string(kSchemaVersion) + "); upgrade the program");
}

} // namespace

int schema_version(Database& db) {
    return static_cast<int>(db.query_int64("PRAGMA user_version"));
}

void check_schema_version(Database& db) {
    const int found = schema_version(db);
    if (found > kSchemaVersion)
        refuse_newer(db, found);
}

void migrate(Database& db, int target) {
    check_schema_version(db);
    if (schema_version(db) >= target)
        return;
    for (const Migration& step : kMigrations) {
        if (step.to > target)
            break;
        // The version is read again under the write lock: another writer may have migrated the
        // file between our check and our BEGIN IMMEDIATE.
        Transaction transaction(db);
        const int found = schema_version(db);
        if (found > kSchemaVersion)
            refuse_newer(db, found);
        if (found >= step.to)
            continue;
        if (found != step.to - 1)
            throw Error("cannot migrate database " + db.path(), 0,
                        "schema version " + std::to_string(found) + " has no step to version " +
                            std::to_string(step.to));
        db.execute(step.sql);
        db.execute("PRAGMA user_version = " + std::to_string(step.to));
        transaction.commit();
        log::info("-", "database " + db.path() + " migrated to schema version " +
                           std::to_string(step.to));
    }
}

} // namespace portscreen::storage
