#pragma once

#include "common/result.hpp"
#include "core/manifest.hpp"
#include "edifact/envelope.hpp"
#include "edifact/structure.hpp"
#include "edifact/tokenizer.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace portscreen::edifact {

/// Maps one structure-checked CUSCAR message into the manifest model (docs/cuscar.md). Reads
/// segments by the group the structure check placed them in, so one mapper serves every
/// family; segments it does not place (`Group::none`) are skipped. Sets `source_segment` on
/// every object. Appends mapping problems: unsupported codes and unreadable numbers or dates
/// (errors), skipped equipment and fallbacks (warnings). Business rules are left to
/// core::validate.
core::Manifest map_cuscar(const SegmentList& segments, const MessageSpan& message,
                          const std::vector<SegmentRole>& roles, Problems& problems);

/// The HS code in free text such as "HS CODE: 30 04 90" or "H.S. 3004.90", as 4 to 10 digits;
/// empty when there is none.
std::string find_hs_code_in_text(std::string_view text);

} // namespace portscreen::edifact
