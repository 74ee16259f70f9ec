#pragma once

#include "storage/database.hpp"
#include "workflow/state.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

/// The inspection workflow as stored: each container's state, its transitions, outcomes with
/// CEN fields, attachments, regions drawn on scans and the operator's scan review. Every write
/// is one transaction holding the change, its history row and its audit entry, so none of them
/// exists without the others.
///
/// Functions take the writer connection of the calling thread; they are not thread-safe beyond
/// that connection's own rules.
namespace portscreen::workflow {

/// Where one container stands, with who put it there and why.
struct ContainerState {
    std::int64_t container_id = 0;
    std::string number;
    State state = State::unscored;
    std::string lane;   ///< red or yellow once selected; green when the selection passed it
    std::string source; ///< who selected it: the selection's source or `manual`
    std::string reason;
    std::string updated_by;
    std::string updated_at;
};

/// The container's state: its `workflow` row; else the day's selection (red or yellow lane
/// means `selected`); else `scored` when it has a score, `unscored` otherwise. Nothing when the
/// container id is unknown.
std::optional<ContainerState> current_state(storage::Database& db, std::int64_t container_id);

/// The states of many containers in one query, in the order of `ids`; unknown ids are left
/// out. For lists such as the officers' queue.
std::vector<ContainerState> current_states(storage::Database& db,
                                           std::span<const std::int64_t> ids);

/// Why a request was refused: bad input (HTTP 400) or an action the container's state or
/// history does not allow (HTTP 409).
enum class RefusalKind { bad_request, conflict };

/// A refused workflow request, with every problem found. Nothing was written.
class Refused : public std::runtime_error {
public:
    Refused(RefusalKind kind, std::vector<std::string> problems);

    RefusalKind kind() const noexcept { return kind_; }
    const std::vector<std::string>& problems() const noexcept { return problems_; }

private:
    RefusalKind kind_;
    std::vector<std::string> problems_;
};

/// Applies one action to a container in one immediate transaction of its own (the caller has
/// none open; the same holds for every write below). Checks the request (Refused bad_request)
/// and the transition from the state read inside the transaction (Refused conflict), then
/// writes the `workflow` row, a `workflow_transitions` row, the outcome for record_outcome and
/// clear (a second outcome is Refused conflict) and the audit entry `workflow.<action>`. Returns
/// the new state. Throws std::out_of_range for an unknown container and storage::Error when the
/// database fails.
ContainerState apply(storage::Database& db, std::int64_t container_id, const ActionRequest& request,
                     std::string_view actor, std::string_view now);

/// One row of a container's workflow history.
struct Transition {
    std::int64_t id = 0;
    std::string from_state, to_state, action, actor, reason;
    std::string detail; ///< JSON object: lane, scan_id, outcome summary when there were some
    std::string at;
};

/// A container's transitions, oldest first.
std::vector<Transition> history(storage::Database& db, std::int64_t container_id);

/// Moves every container linked to the scan that is `selected` or `scan_ordered` to `scanned`,
/// in one transaction, and returns their ids. Containers in other states are left alone: a
/// scan of a container nobody selected is fine. Throws std::out_of_range for an unknown scan.
std::vector<std::int64_t> scan_attached(storage::Database& db, std::string_view scan_id,
                                        std::string_view actor, std::string_view now);

/// A rectangle an operator drew on a scan, in full-resolution pixels.
struct Region {
    std::int64_t id = 0;
    std::int64_t x = 0, y = 0, width = 0, height = 0;
    std::string label; ///< 1 to 100 characters
    std::string note;
    std::string drawn_by, drawn_at; ///< set by add_region
};

/// Stores a region with its audit entry `scan.region`. Refused bad_request when it is empty,
/// outside the scan's image or badly labelled; std::out_of_range for an unknown scan.
Region add_region(storage::Database& db, std::string_view scan_id, Region region,
                  std::string_view actor, std::string_view now);

/// The regions drawn on a scan, oldest first; empty for an unknown scan.
std::vector<Region> regions(storage::Database& db, std::string_view scan_id);

/// The operator's verdict on a scan for every linked container, in one transaction: a
/// container still `selected` or `scan_ordered` is first moved to `scanned`, then `clear`
/// (a no-find outcome by scan, detection x_ray, dated from `now`) or `refer` (to exam_ordered,
/// with `note` as the reason, or "referred after X-ray"). Containers that cannot take the
/// decision are left alone; Refused conflict when none can, Refused bad_request for a decision
/// other than clear or refer. Appends the audit entry `scan.review`. Returns the new states.
std::vector<ContainerState> review_scan(storage::Database& db, std::string_view scan_id,
                                        std::string_view decision, std::string_view note,
                                        std::string_view actor, std::string_view now);

/// A file attached to a container's outcome: photos, lab reports.
struct Attachment {
    std::int64_t id = 0;
    std::string filename, content_type, sha256;
    std::int64_t bytes = 0;
    std::string added_by, added_at;
};

/// The largest attachment accepted.
inline constexpr std::size_t kMaxAttachmentBytes = std::size_t{20} << 20;

/// Stores the bytes under `data_dir`/attachments by their SHA-256 (durably: temporary file,
/// fsync, rename, fsync of the folder; an identical file is kept as it is), then the row and
/// the audit entry `outcome.attachment` in one transaction. The filename is reduced to its last
/// path component without control characters; Refused bad_request when it is then empty or
/// longer than 200 characters, or when the file is empty or over 20 MiB. std::out_of_range for
/// an unknown container.
Attachment add_attachment(storage::Database& db, const std::filesystem::path& data_dir,
                          std::int64_t container_id, std::string_view filename,
                          std::string_view content_type, std::string_view bytes,
                          std::string_view actor, std::string_view now);

/// A container's attachments, oldest first.
std::vector<Attachment> attachments(storage::Database& db, std::int64_t container_id);

/// Where the attachment with this SHA-256 lives: `data_dir`/attachments/<first 2 hex>/<sha256>.
std::filesystem::path attachment_path(const std::filesystem::path& data_dir,
                                      std::string_view sha256);

} // namespace portscreen::workflow
