#pragma once

#include "common/result.hpp"
#include "edifact/tokenizer.hpp"

#include <string>
#include <vector>

namespace portscreen::edifact {

/// One message (UNH to UNT) of an interchange, by segment index.
struct MessageSpan {
    std::size_t header = 0;  ///< index of UNH
    std::size_t trailer = 0; ///< index of UNT, or of the message's last segment when missing
    bool has_trailer = false;
    std::string reference;               ///< UNH 0062
    std::string type;                    ///< S009 0065, e.g. "CUSCAR"
    std::string version;                 ///< S009 0052, e.g. "D"
    std::string release;                 ///< S009 0054, e.g. "95B"
    std::string agency;                  ///< S009 0051, e.g. "UN"
    std::string association;             ///< S009 0057, e.g. "LOT10"
    std::string common_access_reference; ///< 0068: links the parts of a split message
    std::string transfer_sequence;       ///< S010 0070: 1, 2, ... for the parts
    std::string transfer_position;       ///< S010 0073: "C" first part, "F" final part
};

/// The interchange envelope: UNB fields and where each message lies.
struct Envelope {
    std::string syntax_identifier; ///< S001 0001
    std::string sender;            ///< S002 0004
    std::string recipient;         ///< S003 0010
    std::string prepared;          ///< S004 as "date:time" text, e.g. "240115:0930"
    std::string control_reference; ///< 0020
    bool test = false;             ///< 0035 = 1
    std::size_t group_count = 0;   ///< UNG/UNE functional groups
    bool complete = false;         ///< UNZ was found
    std::vector<MessageSpan> messages;
};

/// Checks UNB/UNZ, optional UNG/UNE and every UNH/UNT pair (ISO 9735):
/// presence (CONTRL 13), control counts (29) and references (28), and segments outside any
/// message (33). Appends every problem found to `problems` and returns what it could read.
Envelope check_envelope(const SegmentList& segments, Problems& problems);

} // namespace portscreen::edifact
