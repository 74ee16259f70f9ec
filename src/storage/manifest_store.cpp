#include "storage/manifest_store.hpp"

#include "common/log.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace portscreen::storage {

using core::MessageFunction;

// Every statement of the write path, prepared once per store. Parameters are bound by index;
// the numbers in the SQL are the indexes the code below binds.
//
// Plain INSERTs are preferred to upserts: SQLite gives every UPDATE, DELETE and upsert run
// inside a transaction a statement journal (a copy of each page it touches, in case it fails
// half-way), while a one-row INSERT checks its constraints before writing and needs none.
// So duplicates within a message are merged in memory before the rows are written.
/// The columns `ExistingConsignment` is read from; a WHERE clause follows.
constexpr std::string_view kSelectConsignments =
    "SELECT c.id, c.master_bl, c.house_bl, c.revision, c.status, "
    "s.party_key, n.party_key, p.party_key, f.party_key "
    "FROM consignments c "
    "LEFT JOIN parties s ON s.id = c.shipper_id "
    "LEFT JOIN parties n ON n.id = c.consignee_id "
    "LEFT JOIN parties p ON p.id = c.notify_id "
    "LEFT JOIN parties f ON f.id = c.forwarder_id ";

struct ManifestStore::Statements {
    explicit Statements(Database& db)
        : message_by_id(db, "SELECT reply_body, content_sha256 FROM messages "
                            "WHERE message_id = ?1"),
          message_by_sha(db, "SELECT reply_body, message_id FROM messages "
                             "WHERE content_sha256 = ?1"),
          message_by_interchange(db, "SELECT message_id FROM messages "
                                     "WHERE interchange_key = ?1"),
          // The payload and the reply are written last, by finish_message: the reply is only
          // known once the manifests are stored, and updating a row rewrites all of it, so the
          // first insert stays small and the payload is written once.
          insert_message(db,
                         "INSERT INTO messages (message_id, content_type, content_sha256, "
                         "interchange_key, source, received_at, issued_at, reply_body, payload) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '', x'')"),
          finish_message(db, "UPDATE messages SET reply_body = ?2, payload = ?3 WHERE id = ?1"),
          upsert_vessel_call(
              db, "INSERT INTO vessel_calls (imo, voyage, port_of_call, vessel_name, carrier, "
                  "eta, last_port, created_by, updated_by) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) "
                  "ON CONFLICT (imo, voyage, port_of_call) DO UPDATE SET "
                  "vessel_name = coalesce(nullif(excluded.vessel_name, ''), vessel_name), "
                  "carrier = coalesce(nullif(excluded.carrier, ''), carrier), "
                  "eta = coalesce(nullif(excluded.eta, ''), eta), "
                  "last_port = coalesce(nullif(excluded.last_port, ''), last_port), "
                  "updated_by = excluded.updated_by "
                  "RETURNING id, vessel_name, created_by"),
          find_vessel_call(db, "SELECT id, vessel_name FROM vessel_calls "
                               "WHERE imo = ?1 AND voyage = ?2 AND port_of_call = ?3"),
          load_consignments(db, std::string(kSelectConsignments) +
                                    "WHERE c.vessel_call_id = ?1 ORDER BY c.master_bl, c.house_bl"),
          find_consignment(db, std::string(kSelectConsignments) +
                                   "WHERE c.vessel_call_id = ?1 AND c.master_bl = ?2 "
                                   "AND c.house_bl = ?3"),
          insert_consignment(
              db, "INSERT INTO consignments (vessel_call_id, master_bl, house_bl, shipper_id, "
                  "consignee_id, notify_id, forwarder_id, place_of_receipt, port_of_loading, "
                  "transshipment_ports, port_of_discharge, place_of_delivery, status, revision, "
                  "message_row) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'active', 1, ?13)"),
          update_consignment(
              db, "UPDATE consignments SET shipper_id = ?2, consignee_id = ?3, notify_id = ?4, "
                  "forwarder_id = ?5, place_of_receipt = ?6, port_of_loading = ?7, "
                  "transshipment_ports = ?8, port_of_discharge = ?9, place_of_delivery = ?10, "
                  "status = 'active', revision = ?11, message_row = ?12 WHERE id = ?1"),
          cancel_consignment(db, "UPDATE consignments SET status = 'cancelled', revision = ?2, "
                                 "message_row = ?3 WHERE id = ?1"),
          insert_revision(db, "INSERT INTO consignment_revisions (consignment_id, revision, "
                              "message_row, function, action, recorded_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
          // The B/Ls a manifest amends are cleared in two statements, whatever their number:
          // ?1 is a JSON array of consignment ids.
          delete_placements(db, "DELETE FROM placements WHERE goods_item_id IN "
                                "(SELECT id FROM goods_items WHERE consignment_id IN "
                                "(SELECT value FROM json_each(?1)))"),
          delete_goods_items(db, "DELETE FROM goods_items WHERE consignment_id IN "
                                 "(SELECT value FROM json_each(?1))"),
          insert_goods_item(db, "INSERT INTO goods_items (consignment_id, item_number, hs_code, "
                                "description, packages, package_type, gross_mass_kg) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
          insert_placement(db, "INSERT INTO placements (goods_item_id, container_id, packages) "
                               "VALUES (?1, ?2, ?3)"),
          find_container(db, "SELECT id FROM containers WHERE vessel_call_id = ?1 AND number = ?2"),
          insert_container(db, "INSERT INTO containers (vessel_call_id, number, size_type, "
                               "load_status, gross_mass_kg, tare_mass_kg, message_row) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
          update_container(db, "UPDATE containers SET size_type = ?2, load_status = ?3, "
                               "gross_mass_kg = ?4, tare_mass_kg = ?5, message_row = ?6 "
                               "WHERE id = ?1"),
          delete_seals(db, "DELETE FROM seals WHERE container_id = ?1"),
          insert_seal(db, "INSERT INTO seals (container_id, number, sealing_party) "
                          "VALUES (?1, ?2, ?3)"),
          find_party(db, "SELECT id FROM parties WHERE party_key = ?1"),
          insert_party(db, "INSERT INTO parties (party_key, name, country, identifier, address, "
                           "city, postcode, first_seen, last_seen, times_seen) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)"),
          update_party(db, "UPDATE parties SET "
                           "identifier = coalesce(nullif(?2, ''), identifier), "
                           "address = coalesce(nullif(?3, ''), address), "
                           "city = coalesce(nullif(?4, ''), city), "
                           "postcode = coalesce(nullif(?5, ''), postcode), "
                           "first_seen = min(first_seen, ?6), last_seen = max(last_seen, ?6), "
                           "times_seen = times_seen + ?7 WHERE id = ?1") {}

    Statement message_by_id;
    Statement message_by_sha;
    Statement message_by_interchange;
    Statement insert_message;
    Statement finish_message;
    Statement upsert_vessel_call;
    Statement find_vessel_call;
    Statement load_consignments;
    Statement find_consignment;
    Statement insert_consignment;
    Statement update_consignment;
    Statement cancel_consignment;
    Statement insert_revision;
    Statement delete_placements;
    Statement delete_goods_items;
    Statement insert_goods_item;
    Statement insert_placement;
    Statement find_container;
    Statement insert_container;
    Statement update_container;
    Statement delete_seals;
    Statement insert_seal;
    Statement find_party;
    Statement insert_party;
    Statement update_party;
};

namespace {

constexpr int kRoles = 4; // shipper, consignee, notify party, forwarder

std::string bl_key(std::string_view master_bl, std::string_view house_bl) {
    std::string key(master_bl);
    key += '\x1f'; // a unit separator cannot occur in a B/L number
    key += house_bl;
    return key;
}

std::string bl_name(const std::string& master_bl, const std::string& house_bl) {
    return house_bl.empty() ? master_bl : master_bl + " / " + house_bl;
}

std::string join_ports(const std::vector<std::string>& ports) {
    std::string joined;
    for (const auto& port : ports) {
        if (!joined.empty())
            joined += ',';
        joined += port;
    }
    return joined;
}

std::string call_name(const core::VesselCall& call) {
    return "IMO " + call.imo + " voyage " + call.voyage + " at " + call.port_of_call;
}

Problem error_problem(std::string code, std::string message, std::string path = {},
                      unsigned segment = 0) {
    Problem problem;
    problem.severity = Severity::error;
    problem.code = std::move(code);
    problem.message = std::move(message);
    problem.path = std::move(path);
    problem.segment = segment;
    return problem;
}

Problem warning_problem(std::string code, std::string message, std::string path = {},
                        unsigned segment = 0) {
    Problem problem = error_problem(std::move(code), std::move(message), std::move(path), segment);
    problem.severity = Severity::warning;
    return problem;
}

std::array<const core::Party*, kRoles> roles_of(const core::Consignment& consignment) {
    return {&consignment.shipper, &consignment.consignee, &consignment.notify_party,
            &consignment.forwarder};
}

/// A consignment as stored before this manifest touched it.
struct ExistingConsignment {
    std::int64_t id = 0;
    std::string master_bl;
    std::string house_bl;
    int revision = 0;
    bool cancelled = false;
    std::array<std::string, kRoles> party_keys; // empty for an absent party
};

/// What a manifest does to one of its consignments, decided before anything is written.
struct PlannedConsignment {
    const core::Consignment* consignment = nullptr;
    std::size_t index = 0;
    ExistingConsignment* existing = nullptr; // null when the B/L is new
    const char* action = "";
    std::array<std::string, kRoles> party_keys;
};

/// A party named in a manifest, with the B/Ls that name it for the first time.
struct PartyUse {
    const core::Party* party = nullptr; // its first mention: the details written
    std::int64_t new_bls = 0;
    std::int64_t id = 0;
};

} // namespace

std::string party_key(const core::Party& party) {
    std::string key;
    key.reserve(party.country.size() + party.name.size() + party.id.size() + 4);
    for (char c : party.country)
        key += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    key += '|';
    if (party.name.empty())
        return key + "id:" + party.id;
    // Dots and apostrophes vanish ("A.C.M.E." is "ACME"); other punctuation separates words
    // ("CO.,LTD" is "CO LTD"). Bytes above 0x7f are kept: names in other scripts stay distinct.
    bool pending_space = false;
    const std::size_t name_start = key.size();
    for (char c : party.name) {
        const auto byte = static_cast<unsigned char>(c);
        const bool letter = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
        const bool word_byte = letter || (byte >= '0' && byte <= '9') || byte >= 0x80;
        if (word_byte) {
            if (pending_space && key.size() > name_start)
                key += ' ';
            pending_space = false;
            key += static_cast<char>(byte >= 'a' && byte <= 'z' ? byte - 'a' + 'A' : byte);
        } else if (c != '.' && c != '\'') {
            pending_space = true;
        }
    }
    return key;
}

/// Writes one message inside its savepoint and collects the problems that refuse it. Holds
/// the per-manifest maps (B/L → consignment, container number → row, party key → row) that
/// replace per-row lookups; they are only valid inside the savepoint that filled them.
class ManifestStore::MessageWriter {
public:
    MessageWriter(Database& db, Statements& statements, const IncomingMessage& message,
                  std::int64_t row)
        : db_(db), s_(statements), message_(message), message_row_(row) {}

    void write_manifest(const core::Manifest& manifest) {
        clear_maps();
        if (manifest.function == MessageFunction::cancel)
            cancel(manifest);
        else
            file(manifest);
    }

    Problems& problems() { return problems_; }
    std::vector<StoredManifest>& stored() { return stored_; }

private:
    // -- original, replace, change -----------------------------------------------------------

    void file(const core::Manifest& manifest) {
        StoredManifest& stored = stored_.emplace_back();
        stored.function = core::to_string(manifest.function);
        // A call created by this manifest has nothing stored to look up; one created by an
        // earlier manifest of the same message has.
        const bool created = upsert_vessel_call(manifest.vessel_call, stored);
        vessel_call_id_ = stored.vessel_call_id;
        call_is_new_ = calls_written_.insert(vessel_call_id_).second && created;
        for (const auto& container : manifest.containers) {
            write_container(stored.vessel_call_id, container);
            stored.containers.push_back(container.number);
        }

        // Decide everything first: a refused B/L then costs no writes, and the parties and the
        // goods to clear are known before the first consignment row is written.
        const std::vector<PlannedConsignment> plan = plan_consignments(manifest);
        if (has_errors(problems_))
            return; // the savepoint rolls the message back; writing more would be wasted
        resolve_parties(plan, manifest.vessel_call.eta);
        clear_amended_goods(plan);
        for (const PlannedConsignment& planned : plan)
            write_consignment(manifest, planned, stored);
    }

    /// Returns true when this message created the vessel call.
    bool upsert_vessel_call(const core::VesselCall& call, StoredManifest& stored) {
        Statement& stmt = s_.upsert_vessel_call;
        stmt.bind(1, call.imo);
        stmt.bind(2, call.voyage);
        stmt.bind(3, call.port_of_call);
        stmt.bind(4, call.vessel_name);
        stmt.bind(5, call.carrier);
        stmt.bind(6, call.eta);
        stmt.bind(7, call.last_port);
        stmt.bind(8, message_row_);
        const bool has_row = stmt.step();
        assert(has_row && "an upsert with RETURNING yields a row");
        (void)has_row;
        stored.vessel_call_id = stmt.column_int64(0);
        stored.vessel_name = stmt.column_text(1);
        const bool created = stmt.column_int64(2) == message_row_;
        stmt.reset();
        stored.imo = call.imo;
        stored.voyage = call.voyage;
        stored.port_of_call = call.port_of_call;
        return created;
    }

    static ExistingConsignment read_existing(const Statement& stmt) {
        ExistingConsignment existing;
        existing.id = stmt.column_int64(0);
        existing.master_bl = stmt.column_text(1);
        existing.house_bl = stmt.column_text(2);
        existing.revision = stmt.column_int(3);
        existing.cancelled = stmt.column_text_view(4) == "cancelled";
        for (int role = 0; role < kRoles; ++role)
            existing.party_keys[role] = stmt.column_text(5 + role);
        return existing;
    }

    /// Every B/L of the call, for a cancellation of the whole manifest.
    void load_consignments(std::int64_t vessel_call_id) {
        Statement& stmt = s_.load_consignments;
        stmt.bind(1, vessel_call_id);
        while (stmt.step()) {
            ExistingConsignment existing = read_existing(stmt);
            consignment_order_.push_back(bl_key(existing.master_bl, existing.house_bl));
            consignments_.insert_or_assign(consignment_order_.back(), std::move(existing));
        }
    }

    // Stored B/Ls and containers are looked up one by one, as the message names them: an
    // amendment of one B/L of a 10,000-B/L call reads one row, not the whole call.

    /// The stored B/L of the current call, or nothing.
    ExistingConsignment* find_consignment(const std::string& master_bl,
                                          const std::string& house_bl) {
        std::string key = bl_key(master_bl, house_bl);
        if (const auto found = consignments_.find(key); found != consignments_.end())
            return &found->second;
        if (call_is_new_)
            return nullptr;
        Statement& stmt = s_.find_consignment;
        stmt.bind(1, vessel_call_id_);
        stmt.bind_unowned(2, master_bl);
        stmt.bind_unowned(3, house_bl);
        if (!stmt.step())
            return nullptr;
        ExistingConsignment existing = read_existing(stmt);
        stmt.reset();
        return &consignments_.emplace(std::move(key), std::move(existing)).first->second;
    }

    /// The row id of a container of the current call, or nothing.
    std::optional<std::int64_t> find_container(const std::string& number) {
        if (const auto found = containers_.find(number); found != containers_.end())
            return found->second;
        if (call_is_new_)
            return std::nullopt;
        Statement& stmt = s_.find_container;
        stmt.bind(1, vessel_call_id_);
        stmt.bind_unowned(2, number);
        const auto id = stmt.query_int64();
        if (id)
            containers_.emplace(number, *id);
        return id;
    }

    void write_container(std::int64_t vessel_call_id, const core::Container& container) {
        const auto stored_id = find_container(container.number);
        std::int64_t container_id = 0;
        if (!stored_id) {
            Statement& stmt = s_.insert_container;
            stmt.bind(1, vessel_call_id);
            stmt.bind_unowned(2, container.number);
            stmt.bind_unowned(3, container.size_type);
            stmt.bind_unowned(4, core::to_string(container.load));
            stmt.bind(5, container.gross_mass_kg);
            stmt.bind(6, container.tare_mass_kg);
            stmt.bind(7, message_row_);
            stmt.run();
            container_id = db_.last_insert_rowid();
            containers_.emplace(container.number, container_id);
        } else {
            // The latest message describes the container as it is now, seals included; a
            // container listed twice in one message ends as its last listing says.
            container_id = *stored_id;
            Statement& stmt = s_.update_container;
            stmt.bind(1, container_id);
            stmt.bind_unowned(2, container.size_type);
            stmt.bind_unowned(3, core::to_string(container.load));
            stmt.bind(4, container.gross_mass_kg);
            stmt.bind(5, container.tare_mass_kg);
            stmt.bind(6, message_row_);
            stmt.run();
            s_.delete_seals.bind(1, container_id);
            s_.delete_seals.run();
        }
        for (std::size_t seal_idx = 0; seal_idx < container.seals.size(); ++seal_idx) {
            const core::Seal& seal = container.seals[seal_idx];
            if (seal_listed_again(container.seals, seal_idx))
                continue; // the later listing wins
            Statement& stmt = s_.insert_seal;
            stmt.bind(1, container_id);
            stmt.bind_unowned(2, seal.number);
            stmt.bind_unowned(3, seal.sealing_party);
            stmt.run();
        }
    }

    static bool seal_listed_again(const std::vector<core::Seal>& seals, std::size_t seal_idx) {
        return std::any_of(
            seals.begin() + static_cast<std::ptrdiff_t>(seal_idx) + 1, seals.end(),
            [&](const core::Seal& later) { return later.number == seals[seal_idx].number; });
    }

    std::vector<PlannedConsignment> plan_consignments(const core::Manifest& manifest) {
        std::vector<PlannedConsignment> plan;
        plan.reserve(manifest.consignments.size());
        std::unordered_set<std::string> seen_bls;
        for (std::size_t index = 0; index < manifest.consignments.size(); ++index) {
            const core::Consignment& consignment = manifest.consignments[index];
            if (!seen_bls.insert(bl_key(consignment.master_bl, consignment.house_bl)).second) {
                problems_.push_back(error_problem(
                    "duplicate-bill-of-lading",
                    "bill of lading " + bl_name(consignment.master_bl, consignment.house_bl) +
                        " appears twice in the manifest",
                    "/consignments/" + std::to_string(index), consignment.source_segment));
                continue;
            }
            PlannedConsignment planned;
            planned.consignment = &consignment;
            planned.index = index;
            planned.existing = find_consignment(consignment.master_bl, consignment.house_bl);
            if (planned.existing == nullptr) {
                // A replace or change for an unknown B/L creates it: real feeds lose originals.
                planned.action = "created";
            } else if (manifest.function == MessageFunction::original) {
                if (manifest.version <= planned.existing->revision) {
                    problems_.push_back(error_problem(
                        "bill-of-lading-exists",
                        "bill of lading " + bl_name(consignment.master_bl, consignment.house_bl) +
                            " is already filed for vessel call " + call_name(manifest.vessel_call) +
                            "; amend it with function replace or change",
                        "/consignments/" + std::to_string(index), consignment.source_segment));
                    continue;
                }
                planned.action = "replaced"; // a resent original with a higher version
            } else {
                planned.action =
                    manifest.function == MessageFunction::change ? "changed" : "replaced";
            }
            const auto roles = roles_of(consignment);
            for (int role = 0; role < kRoles; ++role)
                if (!roles[role]->empty())
                    planned.party_keys[role] = party_key(*roles[role]);
            plan.push_back(std::move(planned));
        }
        return plan;
    }

    // -- parties -----------------------------------------------------------------------------

    /// Finds or inserts each party of the manifest once and updates its counters in the same
    /// statement. times_seen counts the bills of lading that named a party: once per B/L
    /// whatever its roles, and an amendment counts only the parties it adds to the B/L.
    void resolve_parties(const std::vector<PlannedConsignment>& plan, std::string_view seen_at) {
        std::vector<std::string> order; // first mention first, so row ids follow the message
        for (const PlannedConsignment& planned : plan) {
            const auto roles = roles_of(*planned.consignment);
            for (int role = 0; role < kRoles; ++role) {
                const std::string& key = planned.party_keys[role];
                if (key.empty())
                    continue;
                auto [use, inserted] = parties_.try_emplace(key);
                if (inserted) {
                    use->second.party = roles[role];
                    order.push_back(key);
                }
                const auto* first = planned.party_keys.begin();
                if (std::find(first, first + role, key) != first + role)
                    continue; // counted for an earlier role of this B/L
                if (planned.existing != nullptr &&
                    std::find(planned.existing->party_keys.begin(),
                              planned.existing->party_keys.end(),
                              key) != planned.existing->party_keys.end())
                    continue; // the B/L named the party before
                ++use->second.new_bls;
            }
        }
        for (const std::string& key : order) {
            PartyUse& use = parties_.at(key);
            s_.find_party.bind(1, key);
            if (const auto id = s_.find_party.query_int64())
                update_party(*id, use, seen_at);
            else
                insert_party(key, use, seen_at);
        }
    }

    void insert_party(const std::string& key, PartyUse& use, std::string_view seen_at) {
        const core::Party& party = *use.party;
        Statement& stmt = s_.insert_party;
        stmt.bind_unowned(1, key);
        stmt.bind_unowned(2, party.name);
        stmt.bind_unowned(3, party.country);
        stmt.bind_unowned(4, party.id);
        stmt.bind_unowned(5, party.address);
        stmt.bind_unowned(6, party.city);
        stmt.bind_unowned(7, party.postcode);
        stmt.bind_unowned(8, seen_at);
        stmt.bind(9, use.new_bls);
        stmt.run();
        use.id = db_.last_insert_rowid();
    }

    void update_party(std::int64_t id, PartyUse& use, std::string_view seen_at) {
        // The name keeps its first spelling; details left empty by this message stay as known.
        const core::Party& party = *use.party;
        Statement& stmt = s_.update_party;
        stmt.bind(1, id);
        stmt.bind_unowned(2, party.id);
        stmt.bind_unowned(3, party.address);
        stmt.bind_unowned(4, party.city);
        stmt.bind_unowned(5, party.postcode);
        stmt.bind_unowned(6, seen_at);
        stmt.bind(7, use.new_bls);
        stmt.run();
        use.id = id;
    }

    std::int64_t party_id(const std::string& key) const {
        return key.empty() ? 0 : parties_.at(key).id;
    }

    // -- consignments ------------------------------------------------------------------------

    /// Amended B/Ls lose their goods and placements before the new ones are written: a
    /// replace or change carries the B/L whole.
    void clear_amended_goods(const std::vector<PlannedConsignment>& plan) {
        std::string ids;
        for (const PlannedConsignment& planned : plan) {
            if (planned.existing == nullptr)
                continue;
            ids += ids.empty() ? "[" : ",";
            ids += std::to_string(planned.existing->id);
        }
        if (ids.empty())
            return;
        ids += ']';
        s_.delete_placements.bind(1, ids);
        s_.delete_placements.run();
        s_.delete_goods_items.bind(1, ids);
        s_.delete_goods_items.run();
    }

    void write_consignment(const core::Manifest& manifest, const PlannedConsignment& planned,
                           StoredManifest& stored) {
        const core::Consignment& consignment = *planned.consignment;
        std::array<std::int64_t, kRoles> party_ids{};
        for (int role = 0; role < kRoles; ++role)
            party_ids[role] = party_id(planned.party_keys[role]);

        std::int64_t consignment_id = 0;
        int revision = 1;
        if (planned.existing == nullptr) {
            consignment_id = insert_consignment(stored.vessel_call_id, consignment, party_ids);
        } else {
            consignment_id = planned.existing->id;
            revision = planned.existing->revision + 1;
            update_consignment(consignment_id, consignment, party_ids, revision);
        }
        insert_goods_items(consignment_id, consignment, planned.index);
        insert_revision(consignment_id, revision, core::to_string(manifest.function),
                        planned.action);
        stored.consignments.push_back(
            {consignment.master_bl, consignment.house_bl, revision, planned.action});
    }

    std::int64_t insert_consignment(std::int64_t vessel_call_id,
                                    const core::Consignment& consignment,
                                    const std::array<std::int64_t, kRoles>& party_ids) {
        Statement& stmt = s_.insert_consignment;
        stmt.bind(1, vessel_call_id);
        stmt.bind_unowned(2, consignment.master_bl);
        stmt.bind_unowned(3, consignment.house_bl);
        for (int role = 0; role < kRoles; ++role)
            bind_party(stmt, 4 + role, party_ids[role]);
        stmt.bind_unowned(8, consignment.place_of_receipt);
        stmt.bind_unowned(9, consignment.port_of_loading);
        stmt.bind(10, join_ports(consignment.transshipment_ports));
        stmt.bind_unowned(11, consignment.port_of_discharge);
        stmt.bind_unowned(12, consignment.place_of_delivery);
        stmt.bind(13, message_row_);
        stmt.run();
        return db_.last_insert_rowid();
    }

    void update_consignment(std::int64_t consignment_id, const core::Consignment& consignment,
                            const std::array<std::int64_t, kRoles>& party_ids, int revision) {
        Statement& stmt = s_.update_consignment;
        stmt.bind(1, consignment_id);
        for (int role = 0; role < kRoles; ++role)
            bind_party(stmt, 2 + role, party_ids[role]);
        stmt.bind_unowned(6, consignment.place_of_receipt);
        stmt.bind_unowned(7, consignment.port_of_loading);
        stmt.bind(8, join_ports(consignment.transshipment_ports));
        stmt.bind_unowned(9, consignment.port_of_discharge);
        stmt.bind_unowned(10, consignment.place_of_delivery);
        stmt.bind(11, revision);
        stmt.bind(12, message_row_);
        stmt.run();
    }

    static void bind_party(Statement& stmt, int index, std::int64_t party_id) {
        if (party_id == 0)
            stmt.bind_null(index);
        else
            stmt.bind(index, party_id);
    }

    void insert_goods_items(std::int64_t consignment_id, const core::Consignment& consignment,
                            std::size_t consignment_idx) {
        for (std::size_t item_idx = 0; item_idx < consignment.goods_items.size(); ++item_idx) {
            const core::GoodsItem& item = consignment.goods_items[item_idx];
            Statement& stmt = s_.insert_goods_item;
            stmt.bind(1, consignment_id);
            stmt.bind(2, item.item_number);
            stmt.bind_unowned(3, item.hs_code);
            stmt.bind_unowned(4, item.description);
            stmt.bind(5, item.packages);
            stmt.bind_unowned(6, item.package_type);
            stmt.bind(7, item.gross_mass_kg);
            stmt.run();
            const std::int64_t goods_item_id = db_.last_insert_rowid();
            insert_placements(goods_item_id, consignment, consignment_idx, item, item_idx);
        }
    }

    void insert_placements(std::int64_t goods_item_id, const core::Consignment& consignment,
                           std::size_t consignment_idx, const core::GoodsItem& item,
                           std::size_t item_idx) {
        // Two lines stowing parts of one goods item in one container become one placement
        // whose packages add up (unknown when either part is unknown).
        std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> merged;
        merged.reserve(item.placements.size());
        for (std::size_t placement_idx = 0; placement_idx < item.placements.size();
             ++placement_idx) {
            const core::Placement& placement = item.placements[placement_idx];
            const auto container = find_container(placement.container_number);
            if (!container) {
                problems_.push_back(error_problem(
                    "unknown-container",
                    "bill of lading " + bl_name(consignment.master_bl, consignment.house_bl) +
                        " goods item " + std::to_string(item.item_number) + ": container " +
                        placement.container_number +
                        " is declared neither in the message nor for the vessel call",
                    "/consignments/" + std::to_string(consignment_idx) + "/goods_items/" +
                        std::to_string(item_idx) + "/placements/" + std::to_string(placement_idx) +
                        "/container_number",
                    placement.source_segment));
                continue;
            }
            auto same = std::find_if(merged.begin(), merged.end(),
                                     [&](const auto& entry) { return entry.first == *container; });
            if (same == merged.end()) {
                merged.emplace_back(*container, placement.packages);
            } else if (same->second && placement.packages) {
                *same->second += *placement.packages;
            } else {
                same->second.reset();
            }
        }
        for (const auto& [container_id, packages] : merged) {
            Statement& stmt = s_.insert_placement;
            stmt.bind(1, goods_item_id);
            stmt.bind(2, container_id);
            stmt.bind(3, packages);
            stmt.run();
        }
    }

    void insert_revision(std::int64_t consignment_id, int revision, const char* function,
                         const char* action) {
        Statement& stmt = s_.insert_revision;
        stmt.bind(1, consignment_id);
        stmt.bind(2, revision);
        stmt.bind(3, message_row_);
        stmt.bind_unowned(4, function);
        stmt.bind_unowned(5, action);
        stmt.bind_unowned(6, message_.received_at);
        stmt.run();
    }

    // -- cancel ------------------------------------------------------------------------------

    void cancel(const core::Manifest& manifest) {
        const core::VesselCall& call = manifest.vessel_call;
        Statement& find = s_.find_vessel_call;
        find.bind(1, call.imo);
        find.bind(2, call.voyage);
        find.bind(3, call.port_of_call);
        if (!find.step()) {
            problems_.push_back(error_problem("unknown-vessel-call",
                                              "vessel call " + call_name(call) +
                                                  " is not stored; there is nothing to cancel"));
            return;
        }
        StoredManifest& stored = stored_.emplace_back();
        stored.function = core::to_string(manifest.function);
        stored.vessel_call_id = find.column_int64(0);
        stored.vessel_name = find.column_text(1);
        stored.imo = call.imo;
        stored.voyage = call.voyage;
        stored.port_of_call = call.port_of_call;
        find.reset();
        vessel_call_id_ = stored.vessel_call_id;
        calls_written_.insert(vessel_call_id_);
        call_is_new_ = false;

        if (manifest.consignments.empty()) {
            load_consignments(stored.vessel_call_id);
            // A cancel that lists no B/L withdraws the whole manifest of the call.
            for (const auto& key : consignment_order_) {
                ExistingConsignment& existing = consignments_.at(key);
                if (!existing.cancelled)
                    cancel_consignment(existing, stored);
            }
            if (stored.consignments.empty())
                problems_.push_back(warning_problem("nothing-to-cancel",
                                                    "vessel call " + call_name(call) +
                                                        " has no active bill of lading to cancel"));
            return;
        }

        for (std::size_t index = 0; index < manifest.consignments.size(); ++index) {
            const core::Consignment& consignment = manifest.consignments[index];
            const std::string path = "/consignments/" + std::to_string(index);
            const std::string name = bl_name(consignment.master_bl, consignment.house_bl);
            ExistingConsignment* found =
                find_consignment(consignment.master_bl, consignment.house_bl);
            if (found == nullptr) {
                problems_.push_back(
                    error_problem("unknown-bill-of-lading",
                                  "bill of lading " + name + " is not filed for vessel call " +
                                      call_name(call) + "; there is nothing to cancel",
                                  path, consignment.source_segment));
                continue;
            }
            if (found->cancelled) {
                problems_.push_back(warning_problem(
                    "already-cancelled", "bill of lading " + name + " is already cancelled", path,
                    consignment.source_segment));
                continue;
            }
            cancel_consignment(*found, stored);
        }
    }

    void cancel_consignment(ExistingConsignment& existing, StoredManifest& stored) {
        // Goods and placements stay: the history of what was declared is evidence.
        const int revision = existing.revision + 1;
        Statement& stmt = s_.cancel_consignment;
        stmt.bind(1, existing.id);
        stmt.bind(2, revision);
        stmt.bind(3, message_row_);
        stmt.run();
        insert_revision(existing.id, revision, "cancel", "cancelled");
        existing.revision = revision;
        existing.cancelled = true; // a B/L listed twice is cancelled once
        stored.consignments.push_back(
            {existing.master_bl, existing.house_bl, revision, "cancelled"});
    }

    /// The maps describe one vessel call; each manifest names its own.
    void clear_maps() {
        consignments_.clear();
        consignment_order_.clear();
        containers_.clear();
        parties_.clear();
    }

    Database& db_;
    Statements& s_;
    const IncomingMessage& message_;
    std::int64_t message_row_;
    Problems problems_;
    std::vector<StoredManifest> stored_;
    std::unordered_map<std::string, ExistingConsignment> consignments_;
    std::vector<std::string> consignment_order_;
    std::unordered_map<std::string, std::int64_t> containers_;
    std::int64_t vessel_call_id_ = 0; ///< the call of the manifest being written
    bool call_is_new_ = false;        ///< created by this manifest: nothing to look up
    std::unordered_set<std::int64_t> calls_written_; ///< by this message
    std::unordered_map<std::string, PartyUse> parties_;
};

ManifestStore::ManifestStore(Database& db)
    : db_(db), statements_(std::make_unique<Statements>(db)) {
    assert(db.access() == Access::writer && "the manifest store needs a writer connection");
}

ManifestStore::~ManifestStore() = default;

std::vector<StoreResult> ManifestStore::store_batch(std::span<const IncomingMessage> batch,
                                                    const AckFormatter& format_ack) {
    // A savepoint per message lets one message fail alone, but it copies every page the message
    // touches into a sub-journal, which slows a batch by half. Refusals are rare, so a batch is
    // first stored without savepoints and, only if a message is refused, stored again with them.
    if (auto results = store_in_transaction(batch, format_ack, false))
        return std::move(*results);
    return std::move(*store_in_transaction(batch, format_ack, true));
}

std::optional<std::vector<StoreResult>>
ManifestStore::store_in_transaction(std::span<const IncomingMessage> batch,
                                    const AckFormatter& format_ack, bool isolate) {
    std::vector<StoreResult> results;
    results.reserve(batch.size());
    Statements& s = *statements_;
    Transaction transaction(db_);

    for (const IncomingMessage& message : batch) {
        StoreResult& result = results.emplace_back();

        // Duplicates are looked up in the open transaction, so a message repeated within the
        // batch finds the first copy too.
        s.message_by_id.bind(1, message.message_id);
        if (s.message_by_id.step()) {
            result.status = StoreStatus::duplicate;
            result.reply_body = s.message_by_id.column_text(0);
            if (s.message_by_id.column_text_view(1) != message.content_sha256)
                log::warn(message.message_id,
                          "message id reused for different content; answered as a duplicate");
            s.message_by_id.reset();
            continue;
        }
        s.message_by_sha.bind(1, message.content_sha256);
        if (s.message_by_sha.step()) {
            result.status = StoreStatus::duplicate;
            result.reply_body = s.message_by_sha.column_text(0);
            log::info(message.message_id,
                      "same content already stored as message " + s.message_by_sha.column_text(1));
            s.message_by_sha.reset();
            continue;
        }
        if (!message.interchange_key.empty()) {
            s.message_by_interchange.bind(1, message.interchange_key);
            if (const auto first = s.message_by_interchange.query_text()) {
                Problem problem = error_problem(
                    "duplicate-interchange",
                    "interchange " + message.interchange_key +
                        " was already received with different content as message " + *first);
                problem.contrl = 26; // UN/EDIFACT 0085: duplicate detected
                result.status = StoreStatus::rejected;
                result.problems.push_back(std::move(problem));
                continue;
            }
        }

        std::optional<Savepoint> savepoint;
        if (isolate)
            savepoint.emplace(db_, "store_message");
        // Without a savepoint a refusal undoes the whole transaction; the caller then stores a
        // batch of several again with savepoints.
        bool abandon = false;
        const auto undo = [&] {
            if (savepoint) {
                savepoint->rollback();
                return;
            }
            transaction.rollback();
            abandon = batch.size() > 1;
        };
        try {
            Statement& insert = s.insert_message;
            insert.bind(1, message.message_id);
            insert.bind(2, message.content_type);
            insert.bind(3, message.content_sha256);
            insert.bind_text_or_null(4, message.interchange_key);
            insert.bind(5, message.source);
            insert.bind(6, message.received_at);
            insert.bind(7, message.manifests.empty() ? std::string_view()
                                                     : message.manifests.front().issued_at);
            insert.run();
            const std::int64_t message_row = db_.last_insert_rowid();

            MessageWriter writer(db_, s, message, message_row);
            for (const core::Manifest& manifest : message.manifests)
                writer.write_manifest(manifest);

            if (has_errors(writer.problems())) {
                undo();
                if (abandon)
                    return std::nullopt;
                result.status = StoreStatus::rejected;
                result.problems = std::move(writer.problems());
                continue;
            }

            result.reply_body = format_ack(message, writer.stored());
            Statement& finish = s.finish_message;
            finish.bind(1, message_row);
            finish.bind(2, result.reply_body);
            finish.bind_blob_unowned(3, message.payload);
            finish.run();
            if (savepoint)
                savepoint->release();
            result.status = StoreStatus::stored;
            result.problems = std::move(writer.problems());
        } catch (const Error& error) {
            // A constraint the checks above did not foresee (e.g. a goods item number given
            // twice) refuses this message only; anything else ends the batch.
            if (!error.is_constraint())
                throw;
            undo();
            if (abandon)
                return std::nullopt;
            result = StoreResult{};
            result.status = StoreStatus::rejected;
            result.problems.push_back(
                error_problem("storage-constraint",
                              "message " + message.message_id +
                                  " breaks a rule of the database: " + error.sqlite_message()));
        }
    }

    if (db_.in_transaction())
        transaction.commit();
    return results;
}

} // namespace portscreen::storage
